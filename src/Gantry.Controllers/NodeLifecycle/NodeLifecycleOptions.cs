namespace Gantry.Controllers.NodeLifecycle;

/// <summary>Node lifecycle settings not in <see cref="ControllerOptions"/>, with Kubernetes' defaults.</summary>
public sealed record NodeLifecycleOptions
{
    /// <summary>How long a node that never posted a Ready condition may stay silent (--node-startup-grace-period: 60 s).</summary>
    public TimeSpan NodeStartupGracePeriod { get; init; } = TimeSpan.FromSeconds(60);
}
