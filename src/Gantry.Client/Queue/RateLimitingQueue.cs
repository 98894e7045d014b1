namespace Gantry.Client.Queue;

/// <summary>A <see cref="WorkQueue{TKey}"/> that re-adds failed keys after a delay chosen by a rate limiter.</summary>
public sealed class RateLimitingQueue<TKey> : WorkQueue<TKey> where TKey : notnull
{
    private readonly IRateLimiter<TKey> _limiter;

    /// <summary>A queue with <paramref name="rateLimiter"/> (client-go's default controller limiter when null).</summary>
    public RateLimitingQueue(IRateLimiter<TKey>? rateLimiter = null, TimeProvider? time = null) : base(time)
    {
        _limiter = rateLimiter ?? RateLimiters.DefaultController<TKey>(Time);
    }

    /// <summary>Re-adds a key after the rate limiter's delay (each call counts as a failure).</summary>
    public void AddRateLimited(TKey key) => AddAfter(key, _limiter.When(key));

    /// <summary>Clears a key's failure history (after a successful reconcile); does not remove it from the queue.</summary>
    public void Forget(TKey key) => _limiter.Forget(key);

    /// <summary>How many times the key was rate-limited since it was last forgotten.</summary>
    public int NumRequeues(TKey key) => _limiter.NumRequeues(key);
}
