namespace Gantry.Client.Queue;

/// <summary>
/// An overall token bucket shared by all keys (client-go default: 10 per second, burst 100): each call reserves a token
/// and returns how long until that token exists, so a flood of retries is spread out.
/// </summary>
public sealed class BucketRateLimiter<TKey> : IRateLimiter<TKey> where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly double _perSecond;
    private readonly int _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    /// <summary>A bucket refilling <paramref name="perSecond"/> tokens a second, holding at most <paramref name="burst"/> (full at start).</summary>
    public BucketRateLimiter(double perSecond, int burst, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _perSecond = perSecond;
        _burst = burst;
        _time = time ?? TimeProvider.System;
        _tokens = burst;
        _last = _time.GetTimestamp();
    }

    /// <inheritdoc />
    public TimeSpan When(TKey key)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + _time.GetElapsedTime(_last, now).TotalSeconds * _perSecond);
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _perSecond);
        }
    }

    /// <inheritdoc />
    public void Forget(TKey key)
    {
    }

    /// <inheritdoc />
    public int NumRequeues(TKey key) => 0;
}
