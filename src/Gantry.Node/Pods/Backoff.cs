namespace Gantry.Node.Pods;

/// <summary>
/// Per-key exponential back-off with client-go flowcontrol.Backoff's rules, as the kubelet uses it for container
/// restarts and image pulls: the first failure starts at the initial delay, each next one doubles it up to the maximum,
/// and an entry untouched for longer than the reset interval starts afresh.
/// </summary>
internal sealed class Backoff(TimeProvider time, TimeSpan initial, TimeSpan max, TimeSpan reset)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (TimeSpan Delay, DateTimeOffset LastUpdate)> _entries = new(StringComparer.Ordinal);

    /// <summary>The current delay of <paramref name="key"/> (zero when it has none).</summary>
    public TimeSpan Get(string key)
    {
        lock (_lock) return _entries.TryGetValue(key, out var e) ? e.Delay : TimeSpan.Zero;
    }

    /// <summary>Records a failure at <paramref name="eventTime"/>: starts or doubles the delay.</summary>
    public void Next(string key, DateTimeOffset eventTime)
    {
        lock (_lock)
        {
            var delay = _entries.TryGetValue(key, out var e) && eventTime - e.LastUpdate <= reset ? Min(e.Delay * 2, max) : initial;
            _entries[key] = (delay, time.GetUtcNow());
        }
    }

    /// <summary>Whether <paramref name="key"/> is still waiting out its delay counted from <paramref name="eventTime"/>.</summary>
    public bool IsInBackOffSince(string key, DateTimeOffset eventTime)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var e) || eventTime - e.LastUpdate > reset) return false;
            return time.GetUtcNow() - eventTime < e.Delay;
        }
    }

    /// <summary>Whether <paramref name="key"/> still waits out the delay counted from its last failure (image pulls).</summary>
    public bool IsInBackOffSinceUpdate(string key, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var e) || now - e.LastUpdate > reset) return false;
            return now - e.LastUpdate < e.Delay;
        }
    }

    /// <summary>How long <paramref name="key"/> still waits, counted from its last failure.</summary>
    public TimeSpan Remaining(string key, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var e)) return TimeSpan.Zero;
            var left = e.LastUpdate + e.Delay - now;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Forgets every key that starts with <paramref name="prefix"/> (a removed pod's).</summary>
    public void ForgetPrefix(string prefix)
    {
        lock (_lock)
        {
            foreach (var key in _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList()) _entries.Remove(key);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
