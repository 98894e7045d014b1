namespace Gantry.Client.Queue;

/// <summary>Ready-made rate limiters.</summary>
public static class RateLimiters
{
    /// <summary>
    /// client-go's DefaultControllerRateLimiter: the larger of per-key exponential backoff (5 ms doubling to 1000 s)
    /// and an overall bucket of 10 per second with burst 100.
    /// </summary>
    public static IRateLimiter<TKey> DefaultController<TKey>(TimeProvider? time = null) where TKey : notnull =>
        new MaxOfRateLimiter<TKey>(
            new ItemExponentialFailureRateLimiter<TKey>(),
            new BucketRateLimiter<TKey>(10, 100, time));
}
