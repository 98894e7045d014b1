namespace Gantry.Controllers.Tests.CronJob;

/// <summary>
/// A clock that stands still until a test moves it, so no cron schedule passes by itself. Timers fire when the clock
/// is moved past them; short ones (work queue retries, at most a second) also fire after their delay in real time,
/// so that retries do not wait for the test.
/// </summary>
internal sealed class ManualTime : TimeProvider, IDisposable
{
    private static readonly TimeSpan ShortTimer = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly Timer _pump;
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public ManualTime() => _pump = new Timer(_ => FireDue(), null, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    /// <summary>Moves to <paramref name="time"/> (never backwards) and fires the timers it passed.</summary>
    public void JumpTo(DateTimeOffset time)
    {
        lock (_lock)
            if (time > _now) _now = time;
        FireDue();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(ManualTimer timer, TimeSpan? dueIn)
    {
        lock (_lock)
        {
            timer.Due = _now + dueIn;
            timer.RealDue = dueIn <= ShortTimer ? DateTimeOffset.UtcNow + dueIn : null;
            if (dueIn is null) _timers.Remove(timer);
            else if (!_timers.Contains(timer)) _timers.Add(timer);
        }
    }

    private void FireDue()
    {
        List<ManualTimer> due;
        lock (_lock)
        {
            var realNow = DateTimeOffset.UtcNow;
            due = _timers.Where(t => t.Due <= _now || t.RealDue <= realNow).ToList();
            foreach (var timer in due)
            {
                _timers.Remove(timer);
                timer.Due = timer.RealDue = null;
            }
        }
        foreach (var timer in due)
        {
            timer.Fire();
            if (timer.Period > TimeSpan.Zero) Schedule(timer, timer.Period);
        }
    }

    public void Dispose() => _pump.Dispose();

    private sealed class ManualTimer(ManualTime clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }
        public DateTimeOffset? RealDue { get; set; }
        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            clock.Schedule(this, dueTime == Timeout.InfiniteTimeSpan ? null : dueTime);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => clock.Schedule(this, null);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
