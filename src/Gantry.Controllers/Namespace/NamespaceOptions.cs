namespace Gantry.Controllers.Namespace;

/// <summary>Timings of the namespace controller, with Kubernetes' defaults.</summary>
public sealed record NamespaceOptions
{
    /// <summary>
    /// How long after a namespace is marked for deletion its content is deleted (Kubernetes waits 5 s so that every API
    /// server of an HA cluster has seen the deletion and refuses new content).
    /// </summary>
    public TimeSpan DeletionGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long objects held by finalizers are expected to take (Kubernetes' finalizerEstimateSeconds: 15 s).</summary>
    public TimeSpan FinalizerEstimate { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Added to half the estimate before the namespace is looked at again (Kubernetes: estimate/2 + 1 s).</summary>
    public TimeSpan RecheckDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Workers (kube-controller-manager's --concurrent-namespace-syncs: 10).</summary>
    public int Workers { get; init; } = 10;
}
