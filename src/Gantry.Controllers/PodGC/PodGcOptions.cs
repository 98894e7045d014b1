namespace Gantry.Controllers.PodGC;

/// <summary>Timings of the pod garbage collector, with Kubernetes' values (the threshold is in <see cref="ControllerOptions"/>).</summary>
public sealed record PodGcOptions
{
    /// <summary>How often pods are examined (Kubernetes' gcCheckPeriod: 20 s).</summary>
    public TimeSpan CheckPeriod { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a node missing from the cache stays in quarantine before the API is asked whether it is truly gone
    /// (Kubernetes' quarantineTime: 40 s) — a node may simply not have reached the informer yet.
    /// </summary>
    public TimeSpan QuarantineTime { get; init; } = TimeSpan.FromSeconds(40);
}
