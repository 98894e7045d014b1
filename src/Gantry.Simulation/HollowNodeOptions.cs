namespace Gantry.Simulation;

/// <summary>What one hollow node reports and how often it heartbeats; defaults follow the kubelet's.</summary>
public sealed record HollowNodeOptions
{
    /// <summary>The node's name (also its kubernetes.io/hostname label and its Lease's holder identity).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// A small number unique per node, used to derive the node's fake InternalIP and pod range (10.x.y.0/24), so pods
    /// on different hollow nodes never share an IP.
    /// </summary>
    public int Index { get; init; }

    /// <summary>CPU capacity (a Kubernetes quantity, e.g. "8" or "7500m").</summary>
    public string Cpu { get; init; } = "8";

    /// <summary>Memory capacity (a Kubernetes quantity, e.g. "32Gi").</summary>
    public string Memory { get; init; } = "32Gi";

    /// <summary>How many pods the node accepts (the kubelet's --max-pods: 110).</summary>
    public int Pods { get; init; } = 110;

    /// <summary>Ephemeral storage capacity.</summary>
    public string EphemeralStorage { get; init; } = "100Gi";

    /// <summary>Extra labels; the well-known hostname, os and arch labels are always set.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>How often the node's Lease is renewed (the kubelet renews every 10 s: a quarter of its 40 s duration).</summary>
    public TimeSpan LeaseInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often an unchanged Ready condition is re-posted anyway (--node-status-report-frequency: 5 min); between
    /// reports the Lease alone says the node is alive.
    /// </summary>
    public TimeSpan NodeStatusReportFrequency { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The version reported in status.nodeInfo.kubeletVersion.</summary>
    public string KubeletVersion { get; init; } = "v1.32.0";
}
