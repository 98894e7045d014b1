namespace Gantry.Client.LeaderElection;

/// <summary>Settings of Lease-based leader election; timings default to client-go's (15 s, 10 s, 2 s).</summary>
public sealed record LeaderElectionOptions
{
    /// <summary>The Lease's name, e.g. kube-controller-manager.</summary>
    public required string LeaseName { get; init; }

    /// <summary>The Lease's namespace.</summary>
    public string LeaseNamespace { get; init; } = "kube-system";

    /// <summary>This candidate's identity; unique per process.</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}_{Guid.NewGuid():N}";

    /// <summary>How long others wait after the last observed renewal before taking over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before giving up leadership.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time between attempts to acquire or renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>On cancellation, clear the holder so another candidate takes over at once instead of after the lease duration.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
