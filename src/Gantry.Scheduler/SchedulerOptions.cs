namespace Gantry.Scheduler;

/// <summary>Settings of a <see cref="Scheduler"/>; the defaults are kube-scheduler's.</summary>
public sealed record SchedulerOptions
{
    /// <summary>The spec.schedulerName this scheduler is responsible for.</summary>
    public string SchedulerName { get; init; } = "default-scheduler";

    /// <summary>Backoff of a pod after its first failed attempt (podInitialBackoffSeconds).</summary>
    public TimeSpan PodInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the doubling backoff (podMaxBackoffSeconds).</summary>
    public TimeSpan PodMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pod may sit unschedulable before it is retried without a cluster event.</summary>
    public TimeSpan PodMaxInUnschedulablePodsDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the unschedulable pods are checked against <see cref="PodMaxInUnschedulablePodsDuration"/>.</summary>
    public TimeSpan UnschedulableFlushInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many nodes are filtered and scored at once.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>
    /// percentageOfNodesToScore: filtering stops once this percentage of the nodes (at least 100) is found feasible, and
    /// only those are scored; 0 (the default) is kube-scheduler's adaptive value, 50% minus 1% per 125 nodes, at least 5%.
    /// </summary>
    public int PercentageOfNodesToScore { get; init; }

    /// <summary>
    /// How many pods/binding requests may be in flight; the scheduling loop waits for one to finish beyond that, so an
    /// API server that falls behind slows scheduling down instead of letting bindings time out in the client queue.
    /// </summary>
    public int MaxBindingsInFlight { get; init; } = 256;

    /// <summary>Settings of the PodTopologySpread plugin: the constraints of pods without their own ("System" defaulting).</summary>
    public Plugins.PodTopologySpreadArgs PodTopologySpread { get; init; } = new();

    /// <summary>Settings of the VolumeBinding plugin (bind timeout).</summary>
    public Plugins.VolumeBindingOptions VolumeBinding { get; init; } = new();
}
