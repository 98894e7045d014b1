using Gantry.Client.Volumes;
using k8s.Models;

namespace Gantry.Controllers.PersistentVolume;

/// <summary>
/// The default StorageClass a fresh cluster gets, like k3s' <c>local-path</c>: volumes made on the node of the first pod
/// by the node agent's provisioner, deleted with their claim.
/// </summary>
public static class LocalPathStorageClass
{
    /// <summary>The class name.</summary>
    public const string Name = "local-path";

    /// <summary>The provisioner the node agent registers for it.</summary>
    public const string Provisioner = "gantry.io/local-path";

    /// <summary>A new copy of the class object.</summary>
    public static V1StorageClass Create() => new()
    {
        ApiVersion = "storage.k8s.io/v1",
        Kind = "StorageClass",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            Annotations = new Dictionary<string, string> { [VolumeAnnotations.IsDefaultClass] = "true" },
        },
        Provisioner = Provisioner,
        VolumeBindingMode = "WaitForFirstConsumer",
        ReclaimPolicy = "Delete",
    };
}
