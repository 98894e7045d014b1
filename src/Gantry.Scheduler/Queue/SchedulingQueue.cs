using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Scheduler.Queue;

/// <summary>
/// kube-scheduler's PriorityQueue: an active heap (higher priority first, then FIFO), a backoff queue (initial backoff
/// doubling per attempt up to the maximum) and the unschedulable pods, which wait for a cluster event
/// (<see cref="MoveAllToActiveOrBackoff"/>) or, at the latest, <see cref="SchedulerOptions.PodMaxInUnschedulablePodsDuration"/>.
/// Pods being scheduled are "in flight": updates seen meanwhile are kept for when they come back.
/// </summary>
internal sealed class SchedulingQueue
{
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly SortedSet<QueuedPod> _active = new(Comparer<QueuedPod>.Create(CompareActive));
    private readonly Dictionary<string, QueuedPod> _activeByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPod> _backoff = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPod> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1Pod?> _inFlight = new(StringComparer.Ordinal);
    private TaskCompletionSource _activeChanged = NewSignal();
    private TaskCompletionSource _backoffChanged = NewSignal();
    private long _sequence;
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;

    /// <summary>A queue with the options' backoff timings on <paramref name="time"/>.</summary>
    public SchedulingQueue(SchedulerOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>A new pending pod (or one seen again) goes to the active queue unless it is already queued.</summary>
    public void Add(V1Pod pod) => Update(null, pod);

    /// <summary>
    /// A pending pod changed: updated in place; an unschedulable pod whose spec or labels changed is retried. A pod not
    /// queued at all is added.
    /// </summary>
    public void Update(V1Pod? old, V1Pod pod)
    {
        var key = ObjectKey.Of(pod);
        lock (_lock)
        {
            if (_inFlight.ContainsKey(key))
            {
                _inFlight[key] = pod;
                return;
            }
            if (_activeByKey.TryGetValue(key, out var active))
            {
                RemoveActive(active);
                active.Pod = pod;
                AddActive(active);
                return;
            }
            if (_backoff.TryGetValue(key, out var backingOff))
            {
                backingOff.Pod = pod;
                return;
            }
            if (_unschedulable.TryGetValue(key, out var waiting))
            {
                var changed = old is null || SchedulingInputChanged(old, pod);
                waiting.Pod = pod;
                if (changed)
                {
                    _unschedulable.Remove(key);
                    MoveToActiveOrBackoff(waiting);
                }
                return;
            }
            AddActive(new QueuedPod(pod, _time.GetUtcNow()));
        }
    }

    /// <summary>Removes a pod that is gone, bound elsewhere or no longer this scheduler's.</summary>
    public void Delete(V1Pod pod)
    {
        var key = ObjectKey.Of(pod);
        lock (_lock)
        {
            if (_activeByKey.TryGetValue(key, out var active)) RemoveActive(active);
            _backoff.Remove(key);
            _unschedulable.Remove(key);
            _inFlight.Remove(key);
        }
    }

    /// <summary>Waits for the best active pod and marks it in flight; returns it with its scheduling cycle.</summary>
    public async Task<(QueuedPod Pod, long Cycle)> PopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_active.Min is { } next)
                {
                    RemoveActive(next);
                    next.Attempts++;
                    _inFlight[next.Key] = null;
                    return (next, ++_schedulingCycle);
                }
                changed = _activeChanged.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A popped pod was bound (or dropped): it leaves the queue for good.</summary>
    public void Done(string key)
    {
        lock (_lock) _inFlight.Remove(key);
    }

    /// <summary>
    /// A popped pod fits nowhere. It waits among the unschedulable pods, unless the cluster changed while it was being
    /// scheduled (or the pod itself did): then it only backs off, as the change may have made it schedulable.
    /// </summary>
    public void AddUnschedulable(QueuedPod pod, long cycle) => Requeue(pod, cycle, unschedulable: true);

    /// <summary>A popped pod hit an error (e.g. its binding failed): it backs off and is retried.</summary>
    public void AddBackoff(QueuedPod pod) => Requeue(pod, long.MaxValue, unschedulable: false);

    /// <summary>The cluster changed: every unschedulable pod goes to the backoff or active queue.</summary>
    public void MoveAllToActiveOrBackoff()
    {
        lock (_lock)
        {
            foreach (var pod in _unschedulable.Values) MoveToActiveOrBackoff(pod);
            _unschedulable.Clear();
            _moveRequestCycle = _schedulingCycle;
        }
    }

    /// <summary>How many pods wait in each queue (active, backoff, unschedulable), for tests and logs.</summary>
    public (int Active, int Backoff, int Unschedulable) Counts()
    {
        lock (_lock) return (_active.Count, _backoff.Count, _unschedulable.Count);
    }

    /// <summary>Moves pods whose backoff expired to the active queue and flushes long-unschedulable pods, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var nextUnschedulableFlush = _time.GetUtcNow() + _options.UnschedulableFlushInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            Task changed;
            TimeSpan wait;
            lock (_lock)
            {
                var now = _time.GetUtcNow();
                foreach (var pod in _backoff.Values.Where(p => BackoffExpiry(p) <= now).ToList())
                {
                    _backoff.Remove(pod.Key);
                    AddActive(pod);
                }
                if (now >= nextUnschedulableFlush)
                {
                    foreach (var pod in _unschedulable.Values.Where(p => now - p.Timestamp > _options.PodMaxInUnschedulablePodsDuration).ToList())
                    {
                        _unschedulable.Remove(pod.Key);
                        MoveToActiveOrBackoff(pod);
                    }
                    nextUnschedulableFlush = now + _options.UnschedulableFlushInterval;
                }
                var next = _backoff.Count == 0 ? nextUnschedulableFlush : _backoff.Values.Min(BackoffExpiry);
                if (next > nextUnschedulableFlush) next = nextUnschedulableFlush;
                wait = next > now ? next - now : TimeSpan.Zero;
                changed = _backoffChanged.Task;
            }
            // Cancel the timer when the signal wins, so waits do not pile up.
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(changed, Task.Delay(wait, _time, timer.Token)).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>kube-scheduler's backoff: initial, doubled for each further attempt, capped at the maximum.</summary>
    public TimeSpan BackoffDuration(int attempts)
    {
        var duration = _options.PodInitialBackoff;
        for (var i = 1; i < attempts && duration < _options.PodMaxBackoff; i++) duration *= 2;
        return duration > _options.PodMaxBackoff ? _options.PodMaxBackoff : duration;
    }

    private DateTimeOffset BackoffExpiry(QueuedPod pod) => pod.Timestamp + BackoffDuration(pod.Attempts);

    private void Requeue(QueuedPod pod, long cycle, bool unschedulable)
    {
        lock (_lock)
        {
            // Not in flight any more: deleted (or bound) while it was being scheduled.
            if (!_inFlight.Remove(pod.Key, out var updated)) return;
            var changed = updated is not null && SchedulingInputChanged(pod.Pod, updated);
            if (updated is not null) pod.Pod = updated;
            pod.Timestamp = _time.GetUtcNow();
            if (unschedulable && !changed && _moveRequestCycle < cycle) _unschedulable[pod.Key] = pod;
            else MoveToActiveOrBackoff(pod);
        }
    }

    private void MoveToActiveOrBackoff(QueuedPod pod)
    {
        if (BackoffExpiry(pod) > _time.GetUtcNow())
        {
            _backoff[pod.Key] = pod;
            Signal(ref _backoffChanged);
        }
        else
        {
            AddActive(pod);
        }
    }

    private void AddActive(QueuedPod pod)
    {
        pod.SortPriority = pod.Priority;
        pod.Sequence = ++_sequence;
        _active.Add(pod);
        _activeByKey[pod.Key] = pod;
        Signal(ref _activeChanged);
    }

    private void RemoveActive(QueuedPod pod)
    {
        _active.Remove(pod);
        _activeByKey.Remove(pod.Key);
    }

    private static void Signal(ref TaskCompletionSource signal)
    {
        var fired = signal;
        signal = NewSignal();
        fired.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static int CompareActive(QueuedPod? a, QueuedPod? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        var byPriority = b.SortPriority.CompareTo(a.SortPriority);
        if (byPriority != 0) return byPriority;
        var byTime = a.Timestamp.CompareTo(b.Timestamp);
        return byTime != 0 ? byTime : a.Sequence.CompareTo(b.Sequence);
    }

    /// <summary>Whether an update may change the scheduling outcome (status-only updates do not).</summary>
    private static bool SchedulingInputChanged(V1Pod old, V1Pod pod) =>
        !SemanticEquality.Same(old.Spec, pod.Spec) || !SemanticEquality.Same(old.Metadata.Labels, pod.Metadata.Labels) ||
        !SemanticEquality.Same(old.Metadata.Annotations, pod.Metadata.Annotations);
}
