namespace Gantry.Client.Informers;

/// <summary>Exponential delays with jitter between retries, as client-go's reflector waits between failed list-and-watches.</summary>
internal sealed class Backoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    public Backoff(TimeSpan initial, TimeSpan max)
    {
        _initial = _next = initial;
        _max = max;
    }

    /// <summary>The delay before the next attempt (doubling, capped, plus up to 50% jitter so clients do not retry in step).</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_max.Ticks, _next.Ticks * 2));
        return delay + TimeSpan.FromTicks((long)(delay.Ticks * 0.5 * Random.Shared.NextDouble()));
    }

    /// <summary>Back to the initial delay after a success.</summary>
    public void Reset() => _next = _initial;
}
