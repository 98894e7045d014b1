using Microsoft.Extensions.Logging;

namespace Gantry.Node.Pods;

/// <summary>
/// The kubelet's pod workers: syncs of one pod run one at a time (requests during a sync coalesce into one more), pods
/// sync in parallel, and a sync can ask to run again after a delay (back-offs, deadlines) or fail into a retry.
/// </summary>
internal sealed partial class PodWorkers(Func<string, CancellationToken, Task<SyncOutcome>> sync, TimeProvider time, TimeSpan errorBackOff, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Syncs the pod now (or right after its running sync).</summary>
    public void Enqueue(string uid)
    {
        lock (_lock)
        {
            if (_stop.IsCancellationRequested) return;
            if (!_slots.TryGetValue(uid, out var slot)) _slots[uid] = slot = new Slot();
            slot.Pending = true;
            if (slot.Running) return;
            slot.Running = true;
            slot.Loop = Task.Run(() => RunAsync(uid, slot));
        }
    }

    /// <summary>Syncs the pod after <paramref name="delay"/> (the earliest of several requests wins).</summary>
    public void EnqueueAfter(string uid, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Enqueue(uid);
            return;
        }
        lock (_lock)
        {
            if (_stop.IsCancellationRequested) return;
            if (!_slots.TryGetValue(uid, out var slot)) _slots[uid] = slot = new Slot();
            var due = time.GetUtcNow() + delay;
            if (slot.Timer is not null && slot.Due <= due) return;
            slot.Timer?.Dispose();
            slot.Due = due;
            slot.Timer = time.CreateTimer(_ => Fire(uid, slot, due), null, delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire(string uid, Slot slot, DateTimeOffset due)
    {
        lock (_lock)
        {
            if (slot.Due != due) return;
            slot.Timer?.Dispose();
            slot.Timer = null;
        }
        Enqueue(uid);
    }

    /// <summary>Stops scheduling syncs and waits for the running ones.</summary>
    public async Task StopAsync()
    {
        List<Task> loops;
        lock (_lock)
        {
            _stop.Cancel();
            loops = [.. _slots.Values.Select(s => s.Loop)];
            foreach (var slot in _slots.Values) slot.Timer?.Dispose();
        }
        await Task.WhenAll(loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(string uid, Slot slot)
    {
        while (true)
        {
            lock (_lock)
            {
                if (!slot.Pending || _stop.IsCancellationRequested)
                {
                    slot.Running = false;
                    return;
                }
                slot.Pending = false;
            }
            try
            {
                var outcome = await sync(uid, _stop.Token).ConfigureAwait(false);
                if (outcome.Finished)
                {
                    lock (_lock)
                    {
                        slot.Timer?.Dispose();
                        if (!slot.Pending) _slots.Remove(uid);
                    }
                }
                else if (outcome.RequeueAfter is { } after) EnqueueAfter(uid, after);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                LogSyncFailed(logger, uid, ex);
                EnqueueAfter(uid, errorBackOff);
            }
        }
    }

    private sealed class Slot
    {
        public bool Pending { get; set; }
        public bool Running { get; set; }
        public Task Loop { get; set; } = Task.CompletedTask;
        public ITimer? Timer { get; set; }
        public DateTimeOffset Due { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "sync of pod {PodUid} failed; retrying")]
    private static partial void LogSyncFailed(ILogger logger, string podUid, Exception exception);
}
