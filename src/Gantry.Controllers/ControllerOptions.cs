namespace Gantry.Controllers;

/// <summary>Controller settings; every default is Kubernetes' own, so tests can compress them.</summary>
public sealed record ControllerOptions
{
    /// <summary>Workers per controller (kube-controller-manager's --concurrent-*-syncs default: 5).</summary>
    public int Workers { get; init; } = 5;

    /// <summary>How long a node's Lease may go unrenewed before the node is Unknown (--node-monitor-grace-period: 40 s).</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How often node health is checked (--node-monitor-period: 5 s).</summary>
    public TimeSpan NodeMonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The range node pod CIDRs are cut from (--cluster-cidr; k3s: 10.42.0.0/16).</summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>The cluster CA in PEM form, published as kube-root-ca.crt in every namespace (--root-ca-file).</summary>
    public string? RootCaPem { get; init; }

    /// <summary>Terminated pods kept before pod GC deletes the oldest (--terminated-pod-gc-threshold: 12500).</summary>
    public int TerminatedPodGcThreshold { get; init; } = 12500;
}
