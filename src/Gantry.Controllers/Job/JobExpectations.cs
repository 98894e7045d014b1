namespace Gantry.Controllers.Job;

/// <summary>
/// Pod creations, deletions and finalizer removals a job's sync has asked for but the pod informer has not shown yet,
/// so that a lagging cache neither creates pods twice nor counts a finished pod twice. Only in memory: after a restart
/// nothing is pending and the caches are fresh, which is exactly the state these records stand in for.
/// </summary>
internal sealed class JobExpectations(TimeProvider time, TimeSpan timeout)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Pending> _jobs = new(StringComparer.Ordinal);

    public void ExpectCreations(string jobKey, int count)
    {
        lock (_lock)
        {
            var pending = Get(jobKey);
            pending.Creations += count;
            pending.Since = time.GetUtcNow();
        }
    }

    public void CreationObserved(string jobKey)
    {
        lock (_lock)
            if (_jobs.TryGetValue(jobKey, out var pending) && pending.Creations > 0) pending.Creations--;
    }

    public void ExpectDeletion(string jobKey, string podUid)
    {
        lock (_lock)
        {
            var pending = Get(jobKey);
            pending.Deletions.Add(podUid);
            pending.Since = time.GetUtcNow();
        }
    }

    public void DeletionObserved(string jobKey, string podUid)
    {
        lock (_lock)
            if (_jobs.TryGetValue(jobKey, out var pending)) pending.Deletions.Remove(podUid);
    }

    /// <summary>Whether no creation or deletion is outstanding (or what is has waited past the timeout).</summary>
    public bool Satisfied(string jobKey)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobKey, out var pending)) return true;
            return pending.Creations <= 0 && pending.Deletions.Count == 0 || time.GetUtcNow() - pending.Since > timeout;
        }
    }

    public void ExpectFinalizerRemoval(string jobKey, string podUid)
    {
        lock (_lock) Get(jobKey).FinalizerRemovals.Add(podUid);
    }

    public void FinalizerRemovalObserved(string jobKey, string podUid)
    {
        lock (_lock)
            if (_jobs.TryGetValue(jobKey, out var pending)) pending.FinalizerRemovals.Remove(podUid);
    }

    /// <summary>Pods whose finalizer removal was sent but not yet seen: already counted, so skipped.</summary>
    public HashSet<string> PendingFinalizerRemovals(string jobKey)
    {
        lock (_lock) return _jobs.TryGetValue(jobKey, out var pending) ? [.. pending.FinalizerRemovals] : [];
    }

    public void Forget(string jobKey)
    {
        lock (_lock) _jobs.Remove(jobKey);
    }

    private Pending Get(string jobKey)
    {
        if (!_jobs.TryGetValue(jobKey, out var pending)) _jobs[jobKey] = pending = new Pending();
        return pending;
    }

    private sealed class Pending
    {
        public int Creations;
        public readonly HashSet<string> Deletions = new(StringComparer.Ordinal);
        public readonly HashSet<string> FinalizerRemovals = new(StringComparer.Ordinal);
        public DateTimeOffset Since;
    }
}
