namespace Gantry.Controllers.Disruption;

/// <summary>Disruption controller settings, with Kubernetes' defaults.</summary>
public sealed record DisruptionOptions
{
    /// <summary>
    /// How long an eviction the API server recorded in status.disruptedPods may wait for the pod's deletion before the
    /// pod counts as healthy again (upstream's DeletionTimeout: 2 minutes).
    /// </summary>
    public TimeSpan DeletionTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a pod may carry DisruptionTarget=True without being deleted before the condition is reset to False
    /// (upstream's stalePodDisruptionTimeout: 2 minutes).
    /// </summary>
    public TimeSpan StalePodDisruptionTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
