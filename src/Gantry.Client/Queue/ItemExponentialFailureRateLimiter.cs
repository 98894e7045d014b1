namespace Gantry.Client.Queue;

/// <summary>Per-key exponential backoff: base * 2^failures, capped (client-go default: 5 ms doubling to 1000 s).</summary>
public sealed class ItemExponentialFailureRateLimiter<TKey>(TimeSpan baseDelay, TimeSpan maxDelay) : IRateLimiter<TKey> where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, int> _failures = [];

    /// <summary>The client-go default: 5 ms to 1000 s.</summary>
    public ItemExponentialFailureRateLimiter() : this(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000))
    {
    }

    /// <inheritdoc />
    public TimeSpan When(TKey key)
    {
        int exponent;
        lock (_lock)
        {
            exponent = _failures.GetValueOrDefault(key);
            _failures[key] = exponent + 1;
        }
        var ticks = baseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <inheritdoc />
    public void Forget(TKey key)
    {
        lock (_lock) _failures.Remove(key);
    }

    /// <inheritdoc />
    public int NumRequeues(TKey key)
    {
        lock (_lock) return _failures.GetValueOrDefault(key);
    }
}
