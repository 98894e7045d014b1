using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>A pod on a node with its requests and inter-pod affinity terms computed once.</summary>
internal sealed record PodEntry(V1Pod Pod, PodRequests Requests)
{
    /// <summary>spec.priority, 0 when unset.</summary>
    public int Priority => Pod.Spec.Priority ?? 0;

    /// <summary>The pod's (anti-)affinity terms; null when it has neither pod affinity nor pod anti-affinity.</summary>
    public PodAffinityTerms? Affinity { get; } = PodAffinityTerms.Of(Pod);

    /// <summary>Wraps a pod.</summary>
    public static PodEntry Of(V1Pod pod) => new(pod, PodRequests.Of(pod));
}
