using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Scheduler.Queue;

/// <summary>A pending pod in the scheduling queue with its attempt bookkeeping.</summary>
internal sealed class QueuedPod
{
    /// <summary>Wraps a pod entering the queue at <paramref name="now"/>.</summary>
    public QueuedPod(V1Pod pod, DateTimeOffset now)
    {
        Pod = pod;
        Key = ObjectKey.Of(pod);
        Timestamp = now;
        InitialAttempt = now;
    }

    /// <summary>"namespace/name".</summary>
    public string Key { get; }

    /// <summary>The latest state of the pod.</summary>
    public V1Pod Pod { get; set; }

    /// <summary>When the pod last entered a queue: the FIFO order among equal priorities, and the start of its backoff.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>When the pod first entered the queue.</summary>
    public DateTimeOffset InitialAttempt { get; }

    /// <summary>How many times the pod was popped for scheduling.</summary>
    public int Attempts { get; set; }

    /// <summary>spec.priority, 0 when unset.</summary>
    public int Priority => Pod.Spec.Priority ?? 0;

    /// <summary>Tie breaker keeping equal (priority, timestamp) entries distinct in the active heap.</summary>
    internal long Sequence { get; set; }

    /// <summary>The priority the entry was sorted by (fixed while it sits in the active heap).</summary>
    internal int SortPriority { get; set; }
}
