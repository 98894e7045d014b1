namespace Gantry.ApiServer.Cache;

/// <summary>
/// The store revision the watch caches have caught up to. One store watch feeds every cache in revision order, so
/// once the clock reads R every cache holds every change up to R.
/// </summary>
public sealed class CacheClock
{
    private readonly object _lock = new();
    private long _revision;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The revision reached.</summary>
    public long Revision => Volatile.Read(ref _revision);

    /// <summary>Moves the clock forward (never back) and wakes waiters.</summary>
    public void Advance(long revision)
    {
        TaskCompletionSource old;
        lock (_lock)
        {
            if (revision <= _revision) return;
            Volatile.Write(ref _revision, revision);
            old = _progress;
            _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        old.TrySetResult();
    }

    /// <summary>Waits until the caches have seen <paramref name="revision"/> (consistent reads after writes).</summary>
    public async Task WaitForAsync(long revision, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_revision >= revision) return;
                wait = _progress.Task;
            }
            await wait.WaitAsync(cancellationToken);
        }
    }
}
