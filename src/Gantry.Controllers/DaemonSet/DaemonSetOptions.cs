namespace Gantry.Controllers.DaemonSet;

/// <summary>DaemonSet controller timings, with Kubernetes' values as defaults.</summary>
public sealed record DaemonSetOptions
{
    /// <summary>First wait before a failed daemon pod on the same node is deleted again (Kubernetes: 1 s).</summary>
    public TimeSpan FailedPodBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest such wait; the wait doubles on each failure up to this (Kubernetes: 15 min).</summary>
    public TimeSpan MaxFailedPodBackoff { get; init; } = TimeSpan.FromMinutes(15);
}
