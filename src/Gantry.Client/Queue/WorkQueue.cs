namespace Gantry.Client.Queue;

/// <summary>
/// A queue of keys to reconcile, as client-go's workqueue: a key is queued at most once however often it is added; a key
/// being processed is not handed to a second worker, and if it was added meanwhile it is queued again on
/// <see cref="Done"/>. <see cref="AddAfter"/> delays an add (keeping the earliest time when asked twice).
/// </summary>
public class WorkQueue<TKey> : IDisposable where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, (DateTimeOffset ReadyAt, ITimer Timer)> _waiting = [];
    private TaskCompletionSource? _available;
    private bool _shuttingDown;

    /// <summary>A queue whose delays run on <paramref name="time"/> (the system clock by default).</summary>
    public WorkQueue(TimeProvider? time = null) => Time = time ?? TimeProvider.System;

    /// <summary>The clock of delayed adds.</summary>
    protected TimeProvider Time { get; }

    /// <summary>Keys ready to be handed out (not those being processed or waiting for a delay).</summary>
    public int Count
    {
        get { lock (_lock) return _queue.Count; }
    }

    /// <summary>Whether <see cref="ShutDown"/> was called.</summary>
    public bool ShuttingDown
    {
        get { lock (_lock) return _shuttingDown; }
    }

    /// <summary>Queues a key unless it is already queued; ignored after shutdown.</summary>
    public void Add(TKey key)
    {
        lock (_lock) AddLocked(key);
    }

    /// <summary>Queues a key once <paramref name="delay"/> has passed; zero or negative adds at once.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        lock (_lock)
        {
            if (_shuttingDown) return;
            if (delay <= TimeSpan.Zero)
            {
                AddLocked(key);
                return;
            }
            var readyAt = Time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(key, out var existing))
            {
                if (existing.ReadyAt <= readyAt) return;
                existing.Timer.Dispose();
            }
            var timer = Time.CreateTimer(static state => ((WaitingKey)state!).Fire(), new WaitingKey(this, key, readyAt), delay, Timeout.InfiniteTimeSpan);
            _waiting[key] = (readyAt, timer);
        }
    }

    /// <summary>
    /// Waits for the next key and marks it as being processed (call <see cref="Done"/> after). Returns ShutDown = true,
    /// and no key, once the queue is shut down and empty.
    /// </summary>
    public async ValueTask<(TKey Key, bool ShutDown)> GetAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_queue.TryDequeue(out var key))
                {
                    _processing.Add(key);
                    _dirty.Remove(key);
                    return (key, false);
                }
                if (_shuttingDown) return (default!, true);
                _available ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _available.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks a key as processed; if it was added while processing, it is queued again.</summary>
    public void Done(TKey key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key))
            {
                _queue.Enqueue(key);
                Signal();
            }
        }
    }

    /// <summary>Stops accepting keys; waiting getters return ShutDown once the queued keys are handed out. Delayed keys are dropped.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            _shuttingDown = true;
            foreach (var (_, waiting) in _waiting) waiting.Timer.Dispose();
            _waiting.Clear();
            Signal();
        }
    }

    /// <summary>Shuts the queue down.</summary>
    public void Dispose()
    {
        ShutDown();
        GC.SuppressFinalize(this);
    }

    private void AddLocked(TKey key)
    {
        if (_shuttingDown || !_dirty.Add(key)) return;
        if (_processing.Contains(key)) return;
        _queue.Enqueue(key);
        Signal();
    }

    private void Signal()
    {
        _available?.TrySetResult();
        _available = null;
    }

    private void FireWaiting(TKey key, DateTimeOffset readyAt)
    {
        lock (_lock)
        {
            // A later AddAfter with an earlier time replaced this timer; only the current one may add.
            if (!_waiting.TryGetValue(key, out var waiting) || waiting.ReadyAt != readyAt) return;
            waiting.Timer.Dispose();
            _waiting.Remove(key);
            AddLocked(key);
        }
    }

    private sealed class WaitingKey(WorkQueue<TKey> queue, TKey key, DateTimeOffset readyAt)
    {
        public void Fire() => queue.FireWaiting(key, readyAt);
    }
}
