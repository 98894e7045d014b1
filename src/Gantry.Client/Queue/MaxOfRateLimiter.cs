namespace Gantry.Client.Queue;

/// <summary>Combines limiters: the longest delay of all of them wins (every one of them counts the call).</summary>
public sealed class MaxOfRateLimiter<TKey>(params IRateLimiter<TKey>[] limiters) : IRateLimiter<TKey> where TKey : notnull
{
    /// <inheritdoc />
    public TimeSpan When(TKey key)
    {
        var max = TimeSpan.Zero;
        foreach (var limiter in limiters)
        {
            var delay = limiter.When(key);
            if (delay > max) max = delay;
        }
        return max;
    }

    /// <inheritdoc />
    public void Forget(TKey key)
    {
        foreach (var limiter in limiters) limiter.Forget(key);
    }

    /// <inheritdoc />
    public int NumRequeues(TKey key) => limiters.Max(l => l.NumRequeues(key));
}
