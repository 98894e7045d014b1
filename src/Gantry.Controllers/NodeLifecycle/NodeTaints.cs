using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.NodeLifecycle;

/// <summary>The taints the node lifecycle controller owns, and the read-modify-write that swaps them on a node.</summary>
internal static class NodeTaints
{
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
    public const string NoExecute = "NoExecute";
    public const string NoSchedule = "NoSchedule";
    private const int Attempts = 5;

    /// <summary>Which NoSchedule taint a node condition in a given status calls for (Kubernetes' nodeConditionToTaintKeyStatusMap).</summary>
    private static readonly Dictionary<(string Type, string Status), string> ConditionTaints = new()
    {
        [("Ready", "False")] = NotReady,
        [("Ready", "Unknown")] = Unreachable,
        [("MemoryPressure", "True")] = "node.kubernetes.io/memory-pressure",
        [("DiskPressure", "True")] = "node.kubernetes.io/disk-pressure",
        [("NetworkUnavailable", "True")] = "node.kubernetes.io/network-unavailable",
        [("PIDPressure", "True")] = "node.kubernetes.io/pid-pressure",
    };

    private static readonly HashSet<string> ConditionTaintKeys = [.. ConditionTaints.Values, Unschedulable];

    public static V1Taint NotReadyNoExecute => new() { Key = NotReady, Effect = NoExecute };

    public static V1Taint UnreachableNoExecute => new() { Key = Unreachable, Effect = NoExecute };

    public static bool Has(V1Node node, V1Taint taint) =>
        node.Spec?.Taints?.Any(t => t.Key == taint.Key && t.Effect == taint.Effect) ?? false;

    /// <summary>The NoSchedule taints a node's conditions and spec.unschedulable call for, and those it has of that kind.</summary>
    public static (List<V1Taint> Wanted, List<V1Taint> Present) NoScheduleTaints(V1Node node)
    {
        var wanted = new List<V1Taint>();
        foreach (var condition in node.Status?.Conditions ?? [])
            if (ConditionTaints.TryGetValue((condition.Type, condition.Status), out var key))
                wanted.Add(new V1Taint { Key = key, Effect = NoSchedule });
        if (node.Spec?.Unschedulable == true) wanted.Add(new V1Taint { Key = Unschedulable, Effect = NoSchedule });
        var present = (node.Spec?.Taints ?? []).Where(t => t.Effect == NoSchedule && ConditionTaintKeys.Contains(t.Key)).ToList();
        return (wanted, present);
    }

    /// <summary>
    /// Adds <paramref name="add"/> and removes <paramref name="remove"/> (matched by key and effect) on the node, re-reading
    /// it on conflicts. NoExecute taints get timeAdded. False when the node is gone.
    /// </summary>
    public static async Task<bool> SwapAsync(IApiClient client, string nodeName, IReadOnlyList<V1Taint> add, IReadOnlyList<V1Taint> remove,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nodes = client.For<V1Node>();
        for (var attempt = 1; ; attempt++)
        {
            var node = await nodes.GetAsync(null, nodeName, cancellationToken);
            if (node is null) return false;
            node.Spec ??= new V1NodeSpec();
            var taints = node.Spec.Taints?.ToList() ?? [];
            var changed = taints.RemoveAll(t => remove.Any(r => r.Key == t.Key && r.Effect == t.Effect)) > 0;
            foreach (var taint in add)
            {
                if (taints.Any(t => t.Key == taint.Key && t.Effect == taint.Effect && t.Value == taint.Value)) continue;
                taints.RemoveAll(t => t.Key == taint.Key && t.Effect == taint.Effect);
                taints.Add(new V1Taint
                {
                    Key = taint.Key,
                    Value = taint.Value,
                    Effect = taint.Effect,
                    TimeAdded = taint.Effect == NoExecute ? now.UtcDateTime : null,
                });
                changed = true;
            }
            if (!changed) return true;
            node.Spec.Taints = taints.Count > 0 ? taints : null;
            try
            {
                await nodes.UpdateAsync(node, cancellationToken);
                return true;
            }
            catch (ConflictException) when (attempt < Attempts)
            {
                // Someone else wrote the node (the agent's status, another taint): read it again.
            }
        }
    }
}
