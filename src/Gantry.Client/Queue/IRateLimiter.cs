namespace Gantry.Client.Queue;

/// <summary>Decides how long a key waits before it is retried.</summary>
public interface IRateLimiter<TKey> where TKey : notnull
{
    /// <summary>The delay before the key may be processed again (counts a failure for per-item limiters).</summary>
    TimeSpan When(TKey key);

    /// <summary>Forgets a key's failures (after a success).</summary>
    void Forget(TKey key);

    /// <summary>How many times the key has been retried since it was last forgotten.</summary>
    int NumRequeues(TKey key);
}
