namespace Gantry.Scheduler.Framework;

/// <summary>
/// kube-scheduler's FitError message: "0/N nodes are available: &lt;count reason, ...&gt;." with the histogram entries
/// ("count reason") sorted as strings, followed by what the PostFilter (DefaultPreemption, in Preemption/) reports.
/// </summary>
internal static class FitError
{
    /// <summary>
    /// The message for a pod no node fits; <paramref name="postFilterMessage"/> is what the PostFilter (DefaultPreemption)
    /// reported ("preemption: ..."), appended after a space as kube-scheduler does, or null when it reported nothing.
    /// </summary>
    public static string Message(int nodeCount, IReadOnlyDictionary<string, Status> rejected, string? postFilterMessage)
    {
        var message = Histogram(nodeCount, rejected);
        return string.IsNullOrEmpty(postFilterMessage) ? message : $"{message} {postFilterMessage}";
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
}
