using k8s;
using k8s.Models;

namespace Gantry.Controllers.History;

/// <summary>Controller references between workloads and what they own.</summary>
internal static class OwnerReferences
{
    /// <summary>The controller reference to <paramref name="owner"/> (controller and blockOwnerDeletion set).</summary>
    public static V1OwnerReference ControllerRef(IKubernetesObject<V1ObjectMeta> owner, string apiVersion, string kind) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = owner.Metadata.Name,
        Uid = owner.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>The object's controller reference, or null.</summary>
    public static V1OwnerReference? ControllerOf(IKubernetesObject<V1ObjectMeta> obj) =>
        obj.Metadata?.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    /// <summary>The uid of the object's controller when it is of <paramref name="kind"/>, as an index value.</summary>
    public static IEnumerable<string> ControllerUid(IKubernetesObject<V1ObjectMeta> obj, string kind) =>
        ControllerOf(obj) is { } owner && owner.Kind == kind ? [owner.Uid] : [];
}
