namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// What a controller is still waiting to see from its informer after creating or deleting pods (client-go's
/// UIDTrackingControllerExpectations): a sync that would act on a stale cache is skipped until every create and delete
/// it issued has been observed, or the expectations have timed out. Deletes are tracked per pod key so a pod seen
/// first with a deletion timestamp and then gone counts once.
/// </summary>
internal sealed class ControllerExpectations(TimeProvider time, TimeSpan timeout)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>True when nothing is pending for <paramref name="key"/>, or its expectations have expired.</summary>
    public bool Satisfied(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry)) return true;
            return entry.Adds <= 0 && entry.Deletes <= 0 || time.GetUtcNow() - entry.SetAt > timeout;
        }
    }

    /// <summary>Expects <paramref name="count"/> pod creations (replacing any earlier expectations).</summary>
    public void ExpectCreations(string key, int count)
    {
        lock (_lock) _entries[key] = new Entry(count, 0, [], time.GetUtcNow());
    }

    /// <summary>Expects the deletion of the pods with these keys (replacing any earlier expectations).</summary>
    public void ExpectDeletions(string key, IReadOnlyCollection<string> podKeys)
    {
        lock (_lock) _entries[key] = new Entry(0, podKeys.Count, new HashSet<string>(podKeys, StringComparer.Ordinal), time.GetUtcNow());
    }

    /// <summary>One expected creation was observed (or will never happen).</summary>
    public void CreationObserved(string key)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry)) _entries[key] = entry with { Adds = entry.Adds - 1 };
        }
    }

    /// <summary>The pod <paramref name="podKey"/> was seen deleted (or its delete failed); counts once per expected pod.</summary>
    public void DeletionObserved(string key, string podKey)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Deleting.Remove(podKey))
                _entries[key] = entry with { Deletes = entry.Deletes - 1 };
        }
    }

    /// <summary>Forgets <paramref name="key"/> (its owner is gone).</summary>
    public void Delete(string key)
    {
        lock (_lock) _entries.Remove(key);
    }

    private sealed record Entry(int Adds, int Deletes, HashSet<string> Deleting, DateTimeOffset SetAt);
}
