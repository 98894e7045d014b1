namespace Gantry.Controllers.Tests.CronJob;

/// <summary>
/// A clock that runs with real time but can jump ahead: timers fire when their due time passes, either naturally
/// (short retry delays) or because a test jumped over it (the next cron schedule).
/// </summary>
internal sealed class ManualTime : TimeProvider, IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly Timer _pump;
    private TimeSpan _offset;

    public ManualTime() => _pump = new Timer(_ => FireDue(), null, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return DateTimeOffset.UtcNow + _offset;
    }

    /// <summary>Jumps to <paramref name="time"/> (never backwards) and fires the timers it passed.</summary>
    public void JumpTo(DateTimeOffset time)
    {
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow + _offset;
            if (time > now) _offset += time - now;
        }
        FireDue();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(ManualTimer timer, DateTimeOffset? due)
    {
        lock (_lock)
        {
            timer.Due = due;
            if (due is null) _timers.Remove(timer);
            else if (!_timers.Contains(timer)) _timers.Add(timer);
        }
    }

    private void FireDue()
    {
        List<ManualTimer> due;
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow + _offset;
            due = _timers.Where(t => t.Due <= now).ToList();
            foreach (var timer in due)
            {
                if (timer.Period > TimeSpan.Zero) timer.Due = now + timer.Period;
                else { timer.Due = null; _timers.Remove(timer); }
            }
        }
        foreach (var timer in due) timer.Fire();
    }

    public void Dispose() => _pump.Dispose();

    private sealed class ManualTimer(ManualTime clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }
        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            clock.Schedule(this, dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime);
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
