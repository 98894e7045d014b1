using k8s.Models;

namespace Gantry.Controllers.Endpoints;

/// <summary>
/// Kubernetes' TriggerTimeTracker: the endpoints.kubernetes.io/last-change-trigger-time of a sync is the earliest
/// change not yet reflected — a pod's Ready condition transition, or the service's creation — among those that changed
/// since the previous sync of the service; a service seen for the first time uses its creation time. Null when
/// nothing changed (the annotation is then removed).
/// </summary>
internal sealed class TriggerTimeTracker
{
    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private sealed record State(Dictionary<string, DateTime> PodTimes, DateTime? ServiceTime);

    /// <summary>Computes the trigger time of a sync of <paramref name="service"/> over its selected pods, and remembers what it saw.</summary>
    public DateTime? Compute(string key, V1Service service, IEnumerable<V1Pod> pods)
    {
        State? previous;
        lock (_lock) _states.TryGetValue(key, out previous);
        DateTime? earliest = null;
        var podTimes = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.LastTransitionTime is not { } changed) continue;
            podTimes[pod.Metadata.Name] = changed;
            if (previous is null || !previous.PodTimes.TryGetValue(pod.Metadata.Name, out var seen) || changed > seen) earliest = Min(earliest, changed);
        }
        var serviceTime = service.Metadata.CreationTimestamp;
        if (serviceTime is { } created && (previous?.ServiceTime is not { } seenService || created > seenService)) earliest = Min(earliest, created);
        lock (_lock) _states[key] = new State(podTimes, serviceTime);
        return previous is null ? serviceTime : earliest;
    }

    /// <summary>Forgets a deleted service.</summary>
    public void Forget(string key)
    {
        lock (_lock) _states.Remove(key);
    }

    private static DateTime Min(DateTime? current, DateTime candidate) => current is { } c && c < candidate ? c : candidate;
}
