namespace Gantry.Node.Runtime;

/// <summary>cgroup settings computed from resources.requests/limits as the kubelet computes them.</summary>
public sealed record LinuxResources
{
    /// <summary>cpu.shares (requests.cpu in millicores * 1024 / 1000, minimum 2).</summary>
    public long CpuShares { get; init; } = 2;

    /// <summary>cpu.cfs_quota_us (limits.cpu * period), null when there is no cpu limit.</summary>
    public long? CpuQuota { get; init; }

    /// <summary>cpu.cfs_period_us.</summary>
    public long CpuPeriod { get; init; } = 100_000;

    /// <summary>memory.limit_in_bytes, null when there is no memory limit.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>pids.max, null for unlimited.</summary>
    public long? PidsLimit { get; init; }

    /// <summary>The OOM score adjustment of the QoS class (guaranteed -997, burstable computed, best-effort 1000).</summary>
    public int OomScoreAdj { get; init; }
}
