using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>A pod on a node with its requests computed once.</summary>
internal sealed record PodEntry(V1Pod Pod, PodRequests Requests)
{
    /// <summary>spec.priority, 0 when unset.</summary>
    public int Priority => Pod.Spec.Priority ?? 0;

    /// <summary>Wraps a pod.</summary>
    public static PodEntry Of(V1Pod pod) => new(pod, PodRequests.Of(pod));
}
