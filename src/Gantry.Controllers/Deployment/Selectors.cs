using System.Text.Json.Nodes;
using Gantry.Api.Selectors;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.Deployment;

/// <summary>Typed label selectors evaluated by the API layer's selector code, plus controller-reference helpers.</summary>
internal static class Selectors
{
    public static LabelSelector From(V1LabelSelector? selector) =>
        LabelSelector.FromLabelSelectorObject(selector is null ? null : JsonNode.Parse(KubernetesJson.Serialize(selector)));

    public static bool Matches(LabelSelector selector, IDictionary<string, string>? labels)
    {
        var map = new JsonObject();
        foreach (var (key, value) in labels ?? new Dictionary<string, string>()) map[key] = value;
        return selector.Matches(map);
    }

    /// <summary>Whether the selector is the empty one, which Kubernetes refuses to act on (it would select every pod).</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is not null && (selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0;

    public static V1OwnerReference? ControllerOf(V1ObjectMeta? meta) => meta?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);

    public static V1OwnerReference ControllerReference(V1Deployment d) => new()
    {
        ApiVersion = "apps/v1", Kind = "Deployment", Name = d.Metadata.Name, Uid = d.Metadata.Uid, Controller = true, BlockOwnerDeletion = true,
    };
}
