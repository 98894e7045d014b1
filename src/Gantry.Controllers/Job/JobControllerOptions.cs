namespace Gantry.Controllers.Job;

/// <summary>Job controller timings, with Kubernetes' defaults (tests compress them).</summary>
public sealed record JobControllerOptions
{
    /// <summary>Delay before re-creating a pod after the first failure (DefaultJobPodFailureBackOff: 10 s); it doubles with each further failure.</summary>
    public TimeSpan PodFailureBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap of the pod failure backoff (MaxJobPodFailureBackOff: 6 min).</summary>
    public TimeSpan MaxPodFailureBackoff { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>How long unmet pod expectations block a job's sync before they are assumed lost (ExpectationsTimeout: 5 min).</summary>
    public TimeSpan ExpectationsTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
