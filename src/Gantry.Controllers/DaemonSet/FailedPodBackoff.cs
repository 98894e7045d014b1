namespace Gantry.Controllers.DaemonSet;

/// <summary>
/// Per daemon set and node backoff for deleting failed pods, so a node that keeps rejecting the pod does not make the
/// controller create and delete in a hot loop (Kubernetes' failedPodsBackoff). Losing it on restart only resets waits.
/// </summary>
internal sealed class FailedPodBackoff(TimeSpan initial, TimeSpan max, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset Last, TimeSpan Delay)> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// Null when a failed pod under <paramref name="key"/> may be deleted now (and starts the next wait), otherwise how
    /// long to wait.
    /// </summary>
    public TimeSpan? TryNext(string key)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                var waited = now - entry.Last;
                if (waited < entry.Delay) return entry.Delay - waited;
                // A long quiet spell starts over from the initial wait.
                var delay = waited > 2 * max ? initial : TimeSpan.FromTicks(Math.Min(entry.Delay.Ticks * 2, max.Ticks));
                _entries[key] = (now, delay);
                return null;
            }
            _entries[key] = (now, initial);
            return null;
        }
    }
}
