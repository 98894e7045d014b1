namespace Gantry.Node.Network.Proxy;

/// <summary>
/// kube-proxy's BoundedFrequencyRunner limit: a token bucket of two syncs refilled at one per minimum interval, so an
/// isolated change is synced at once while a stream of changes is synced at most once per interval.
/// </summary>
internal sealed class SyncRateLimiter(TimeSpan minInterval, TimeProvider time)
{
    private const double Burst = 2;
    private double _tokens = Burst;
    private long _refilled = time.GetTimestamp();

    /// <summary>How long until a sync may run; zero when it may run now.</summary>
    public TimeSpan Delay
    {
        get
        {
            Refill();
            return _tokens < 1 && minInterval > TimeSpan.Zero ? minInterval * (1 - _tokens) : TimeSpan.Zero;
        }
    }

    /// <summary>Waits until a sync may run and takes its token.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var delay = Delay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            Refill();
        }
        _tokens = Math.Max(0, _tokens - 1);
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        var earned = minInterval > TimeSpan.Zero ? time.GetElapsedTime(_refilled, now) / minInterval : Burst;
        _tokens = Math.Min(Burst, _tokens + earned);
        _refilled = now;
    }
}
