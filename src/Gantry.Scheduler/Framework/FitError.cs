namespace Gantry.Scheduler.Framework;

/// <summary>
/// kube-scheduler's FitError message: "0/N nodes are available: &lt;count reason, ...&gt;." with the histogram entries
/// ("count reason") sorted as strings, followed by what the (default) preemption PostFilter reports.
/// </summary>
internal static class FitError
{
    /// <summary>The message for a pod no node fits, including the preemption outcome.</summary>
    public static string Message(CycleState state, IReadOnlyDictionary<string, Status> rejected, SchedulingFramework framework)
    {
        var message = Histogram(state.Nodes.Count, rejected);
        var preemption = PreemptionMessage(state, rejected, framework);
        return preemption is null ? message : $"{message} preemption: {preemption}";
    }

    /// <summary>"0/N nodes are available: 1 reason, 2 other reason."</summary>
    public static string Histogram(int nodeCount, IEnumerable<KeyValuePair<string, Status>> statuses)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, status) in statuses)
        {
            foreach (var reason in status.Reasons) counts[reason] = counts.GetValueOrDefault(reason) + 1;
        }
        var message = $"0/{nodeCount} nodes are available:";
        if (counts.Count > 0) message += " " + string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}").Order(StringComparer.Ordinal)) + ".";
        return message;
    }

    /// <summary>
    /// What DefaultPreemption says when it finds no candidate: nodes rejected for reasons preemption cannot fix are "not
    /// helpful"; the others are dry-run without the pods of lower priority. Null when some node would fit after evicting
    /// lower-priority pods (a real preemption; not implemented, so nothing is reported).
    /// </summary>
    private static string? PreemptionMessage(CycleState state, IReadOnlyDictionary<string, Status> rejected, SchedulingFramework framework)
    {
        var pod = state.Pod;
        var nodes = state.Nodes;
        if (pod.Spec.PreemptionPolicy == "Never") return "not eligible due to preemptionPolicy=Never.";
        var priority = pod.Spec.Priority ?? 0;
        var outcome = new Dictionary<string, Status>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!rejected.TryGetValue(node.Name, out var status) || status.Code != StatusCode.Unschedulable)
            {
                outcome[node.Name] = Status.Unresolvable("Preemption is not helpful for scheduling");
                continue;
            }
            if (!node.Pods.Any(p => p.Priority < priority))
            {
                outcome[node.Name] = Status.Unresolvable("No preemption victims found for incoming pod");
                continue;
            }
            var dryRun = framework.RunFiltersWithout(state, node, p => p.Priority < priority);
            if (dryRun.IsSuccess) return null;
            outcome[node.Name] = dryRun;
        }
        return Histogram(nodes.Count, outcome);
    }
}
