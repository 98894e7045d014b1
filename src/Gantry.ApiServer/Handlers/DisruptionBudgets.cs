using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.ApiServer.Objects;
using Gantry.Storage;

namespace Gantry.ApiServer.Handlers;

/// <summary>The eviction check against PodDisruptionBudgets (their status is kept by the disruption controller).</summary>
public static class DisruptionBudgets
{
    /// <summary>Throws 429 when a budget covering the pod allows no disruption now.</summary>
    public static async Task CheckAsync(ResourceService service, ResourceRegistry registry, string ns, JsonObject pod, CancellationToken cancellationToken)
    {
        var pdbs = registry.Find("policy", "v1", "poddisruptionbudgets")!;
        var list = await service.Store.ListAsync(pdbs.PrefixFor(ns), ListRequest.All, cancellationToken);
        var labels = pod["metadata"]?["labels"] as JsonObject;
        var matching = list.Items.Select(ResourceService.Decode)
            .Where(p => p["spec"]?["selector"] is JsonObject s && LabelSelector.FromLabelSelectorObject(s).Matches(labels))
            .ToList();
        if (matching.Count > 1)
            throw new ApiException(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        if (matching.Count == 0) return;
        var pdb = matching[0];
        var allowed = (long?)(pdb["status"]?["disruptionsAllowed"] as JsonValue) ?? 0;
        if (allowed > 0) return;
        var name = ObjectMeta.Get(pdb, "name");
        throw new ApiException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "DisruptionBudget", ["message"] = $"The disruption budget {name} needs {(long?)(pdb["status"]?["desiredHealthy"] as JsonValue) ?? 0} healthy pods and has {(long?)(pdb["status"]?["currentHealthy"] as JsonValue) ?? 0} currently" }) });
    }
}
