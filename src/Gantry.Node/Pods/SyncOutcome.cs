namespace Gantry.Node.Pods;

/// <summary>What a pod sync asks of its worker: sync again after a delay, and whether the pod is gone for good.</summary>
/// <param name="RequeueAfter">When to sync again (a back-off or deadline ending), null for "when something changes".</param>
/// <param name="Finished">The pod was removed and everything of it cleaned up.</param>
internal readonly record struct SyncOutcome(TimeSpan? RequeueAfter, bool Finished = false)
{
    /// <summary>Nothing scheduled.</summary>
    public static SyncOutcome Idle => new(null);

    /// <summary>The earlier of two requeue delays.</summary>
    public static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
