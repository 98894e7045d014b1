using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>
/// JSON merge patches of metadata lists, guarded by the resourceVersion the decision was made on (a stale cache gets a
/// 409 and the item is retried). An empty list is sent as null, which removes the field as Kubernetes omits it.
/// </summary>
internal static class MetadataPatch
{
    /// <summary>Replaces metadata.ownerReferences.</summary>
    public static string OwnerReferences(string resourceVersion, IReadOnlyList<V1OwnerReference> references) =>
        Build(resourceVersion, "ownerReferences", references.Count == 0 ? null : JsonNode.Parse(KubernetesJson.Serialize(references)));

    /// <summary>Replaces metadata.finalizers.</summary>
    public static string Finalizers(string resourceVersion, IReadOnlyList<string> finalizers) =>
        Build(resourceVersion, "finalizers", finalizers.Count == 0 ? null : new JsonArray([.. finalizers.Select(f => (JsonNode?)JsonValue.Create(f))]));

    private static string Build(string resourceVersion, string field, JsonNode? value) =>
        new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion, [field] = value } }.ToJsonString();
}
