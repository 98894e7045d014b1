using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.ApiServer.Objects;
using Gantry.Storage;

namespace Gantry.ApiServer.Handlers;

/// <summary>
/// The eviction check against PodDisruptionBudgets (their status is kept by the disruption controller). An allowed
/// eviction of a healthy pod takes one disruption from the budget and records the pod in status.disruptedPods, so two
/// evictions racing each other cannot both spend the last one (Kubernetes' checkAndDecrement).
/// </summary>
public static class DisruptionBudgets
{
    private const int MaxDisruptedPods = 2000;
    private const string Refused = "Cannot evict pod as it would violate the pod's disruption budget.";

    /// <summary>Throws 429 when a budget covering the pod allows no disruption now; otherwise spends one (unless a dry run).</summary>
    public static async Task CheckAsync(ResourceService service, ResourceRegistry registry, string ns, JsonObject pod, bool dryRun, TimeProvider time,
        CancellationToken cancellationToken)
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
        if (!IsReady(pod))
        {
            // An unready pod adds nothing to the budget: it may go whenever the budget is met (IfHealthyBudget) or always.
            if (Str(pdb["spec"]?["unhealthyPodEvictionPolicy"]) == "AlwaysAllow") return;
            var healthy = Long(pdb["status"]?["currentHealthy"]);
            var desired = Long(pdb["status"]?["desiredHealthy"]);
            if (healthy >= desired && desired > 0) return;
        }
        var podName = ObjectMeta.Get(pod, "name")!;
        var name = ObjectMeta.Get(pdb, "name")!;
        if (dryRun)
        {
            Decrement(pdb, podName, null);
            return;
        }
        await service.GuaranteedUpdateAsync(pdbs, ns, name, 0, (current, _) => Decrement(current, podName, time.GetUtcNow()), status: true,
            new WriteOptions { FieldManager = "kube-apiserver" }, cancellationToken);
    }

    /// <summary>Checks the budget and takes one disruption from it (recording the pod when <paramref name="now"/> is given).</summary>
    private static JsonObject Decrement(JsonObject pdb, string podName, DateTimeOffset? now)
    {
        var name = ObjectMeta.Get(pdb, "name");
        if (pdb["status"] is not JsonObject status) pdb["status"] = status = new JsonObject();
        var generation = Long(pdb["metadata"]?["generation"]);
        if (Long(status["observedGeneration"]) < generation)
            throw TooManyRequests($"The disruption budget {name} is still being processed by the server.");
        var allowed = Long(status["disruptionsAllowed"]);
        if (allowed < 0) throw ApiException.Forbidden("pdb disruptions allowed is negative");
        if (status["disruptedPods"] is JsonObject { Count: > MaxDisruptedPods })
            throw ApiException.Forbidden("DisruptedPods map too big - too many evictions not confirmed by PDB controller");
        if (allowed == 0)
            throw TooManyRequests($"The disruption budget {name} needs {Long(status["desiredHealthy"])} healthy pods and has {Long(status["currentHealthy"])} currently");
        status["disruptionsAllowed"] = allowed - 1;
        if (now is not { } at) return pdb;
        if (allowed == 1) SetInsufficientPods(status, at);
        if (status["disruptedPods"] is not JsonObject disrupted) status["disruptedPods"] = disrupted = new JsonObject();
        disrupted[podName] = ObjectMeta.Timestamp(at);
        return pdb;
    }

    /// <summary>The DisruptionAllowed condition once the last disruption is spent (as the disruption controller would set it).</summary>
    private static void SetInsufficientPods(JsonObject status, DateTimeOffset now)
    {
        if (status["conditions"] is not JsonArray conditions) status["conditions"] = conditions = [];
        var condition = conditions.OfType<JsonObject>().FirstOrDefault(c => Str(c["type"]) == "DisruptionAllowed");
        if (condition is null) conditions.Add((JsonNode)(condition = new JsonObject { ["type"] = "DisruptionAllowed" }));
        if (Str(condition["status"]) != "False") condition["lastTransitionTime"] = ObjectMeta.Timestamp(now);
        condition["status"] = "False";
        condition["reason"] = "InsufficientPods";
        condition["message"] = "";
        condition["observedGeneration"] = Long(status["observedGeneration"]);
    }

    private static ApiException TooManyRequests(string cause) =>
        new(429, "TooManyRequests", Refused, new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = "DisruptionBudget", ["message"] = cause }),
            ["retryAfterSeconds"] = 10,
        });

    private static bool IsReady(JsonObject pod) =>
        pod["status"]?["conditions"] is JsonArray conditions
        && conditions.OfType<JsonObject>().Any(c => Str(c["type"]) == "Ready" && Str(c["status"]) == "True");

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long Long(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var n) ? n : 0;
}
