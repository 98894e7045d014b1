namespace Gantry.Node.Pods;

/// <summary>The agent's settings, with the kubelet's defaults (KubeletConfiguration) unless noted.</summary>
public sealed record NodeAgentOptions
{
    /// <summary>--node-name: the Node object's name and the agent's identity.</summary>
    public required string NodeName { get; init; }

    /// <summary>--node-ip: the InternalIP to report; null detects the first non-loopback IPv4 address of the machine.</summary>
    public string? NodeIp { get; init; }

    /// <summary>--max-pods.</summary>
    public int MaxPods { get; init; } = 110;

    /// <summary>--pod-cidr: used only while the Node's spec.podCIDR is empty (standalone nodes without a node IPAM controller).</summary>
    public string? PodCidr { get; init; }

    /// <summary>Labels registered with the Node (besides kubernetes.io/hostname, os and arch).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>--register-with-taints.</summary>
    public IReadOnlyList<k8s.Models.V1Taint> Taints { get; init; } = [];

    /// <summary>--cluster-dns: nameservers of ClusterFirst pods (the node-local cluster DNS); empty leaves them with the host's resolver, as the kubelet does.</summary>
    public IReadOnlyList<string> ClusterDns { get; init; } = [];

    /// <summary>
    /// Starts the node's cluster DNS server if it is not running yet and completes once it answers; awaited before a pod's
    /// sandbox is used, so a node without pods runs none. Null when this agent serves no DNS (tests, hollow nodes).
    /// </summary>
    public Func<CancellationToken, Task>? EnsureClusterDns { get; init; }

    /// <summary>--cluster-domain.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>
    /// --cluster-cidr: every pod address of the cluster; the overlay routes it between nodes and never masquerades within it, and the
    /// service proxy masquerades ClusterIP traffic from outside it.
    /// </summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>--flannel-backend: how pod traffic crosses between nodes (k3s's default: VXLAN).</summary>
    public Network.Overlay.OverlayBackend FlannelBackend { get; init; } = Network.Overlay.OverlayBackend.Vxlan;

    /// <summary>--kube-proxy-arg nftables-sync-period: how often the service proxy re-checks its rules without a change.</summary>
    public TimeSpan ProxySyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>--kube-proxy-arg nftables-min-sync-period: the least time between two service proxy syncs after a burst.</summary>
    public TimeSpan ProxyMinSyncPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>--resolv-conf: the host resolver file Default pods get (systemd-resolved's upstream list when present).</summary>
    public string? ResolvConf { get; init; }

    /// <summary>status.daemonEndpoints.kubeletEndpoint.port: the agent's streaming server.</summary>
    public int KubeletPort { get; init; } = 10250;

    /// <summary>status.nodeInfo.kubeletVersion (the API server reports v1.32.0+gantry).</summary>
    public string KubeletVersion { get; init; } = "v1.32.0+gantry";

    /// <summary>status.nodeInfo.containerRuntimeVersion, "&lt;runtime&gt;://&lt;version&gt;"; its scheme prefixes containerIDs.</summary>
    public string ContainerRuntimeVersion { get; init; } = "runc://1.1.5";

    /// <summary>nodeStatusUpdateFrequency: how often the node status is computed (and posted when it changed).</summary>
    public TimeSpan NodeStatusUpdateFrequency { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Until the Node has its pod CIDR, how often the status is computed instead (the kubelet's fastStatusUpdateOnce
    /// looks every 100 ms), so the node turns Ready as soon as the range is assigned, not a status period later.
    /// </summary>
    public TimeSpan FastStatusUpdateInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the fast status updates go on without a pod CIDR (the kubelet's nodeReadyGracePeriod, 120 s).</summary>
    public TimeSpan FastStatusUpdatePeriod { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>nodeStatusReportFrequency: an unchanged status is still posted this often.</summary>
    public TimeSpan NodeStatusReportFrequency { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>nodeLeaseDurationSeconds.</summary>
    public int NodeLeaseDurationSeconds { get; init; } = 40;

    /// <summary>How often the Lease is renewed (the kubelet: a quarter of the lease duration).</summary>
    public TimeSpan NodeLeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>syncFrequency: every pod is synced at least this often.</summary>
    public TimeSpan SyncFrequency { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the runtime is relisted to notice container exits (the kubelet's PLEG relist period).</summary>
    public TimeSpan RuntimeRelistPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Housekeeping: removal of sandboxes, containers and volumes of pods no longer bound here.</summary>
    public TimeSpan HousekeepingInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>First delay of an image pull back-off (ImagePullBackOff).</summary>
    public TimeSpan ImagePullBackOffInitial { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest image pull back-off.</summary>
    public TimeSpan ImagePullBackOffMax { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>First delay of a container restart back-off (CrashLoopBackOff); it doubles per restart.</summary>
    public TimeSpan CrashLoopBackOffInitial { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest container restart back-off.</summary>
    public TimeSpan CrashLoopBackOffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A container that ran this long without failing starts its back-off afresh (the kubelet: twice the maximum).</summary>
    public TimeSpan CrashLoopBackOffReset { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Retry delay of a pod sync that failed for another reason (the kubelet's pod worker back-off period).</summary>
    public TimeSpan SyncErrorBackOff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Grace period used when a pod sets none (spec.terminationGracePeriodSeconds defaults to 30 s).</summary>
    public TimeSpan DefaultTerminationGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Memory held back from allocatable (the kubelet's default hard eviction threshold memory.available).</summary>
    public long EvictionMemoryAvailableBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Share of ephemeral storage held back from allocatable (nodefs.available).</summary>
    public double EvictionNodeFsAvailableFraction { get; init; } = 0.10;

    /// <summary>Share of the image file system that must stay available (the kubelet's default imagefs.available&lt;15%).</summary>
    public double EvictionImageFsAvailableFraction { get; init; } = 0.15;

    /// <summary>How often the eviction signals (nodefs/imagefs availability) are observed (the kubelet's eviction monitoring period).</summary>
    public TimeSpan EvictionMonitoringPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>evictionPressureTransitionPeriod: a pressure condition stays True this long after its signal cleared.</summary>
    public TimeSpan EvictionPressureTransitionPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>containerLogMaxSize: a running container's log file is rotated once it reaches this size.</summary>
    public long ContainerLogMaxSize { get; init; } = 10L * 1024 * 1024;

    /// <summary>containerLogMaxFiles: log files kept per container, the current one included (at least 2).</summary>
    public int ContainerLogMaxFiles { get; init; } = 5;

    /// <summary>containerLogMonitorInterval: how often container log sizes are checked.</summary>
    public TimeSpan ContainerLogMonitorInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often image garbage collection runs (the kubelet's ImageGCPeriod).</summary>
    public TimeSpan ImageGcPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>imageGCHighThresholdPercent: image file system usage that starts a collection; 100 disables image GC.</summary>
    public int ImageGcHighThresholdPercent { get; init; } = 85;

    /// <summary>imageGCLowThresholdPercent: usage a collection frees down to.</summary>
    public int ImageGcLowThresholdPercent { get; init; } = 80;

    /// <summary>imageMinimumGCAge: an unused image is collected only once it was first seen at least this long ago.</summary>
    public TimeSpan ImageMinimumGcAge { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Capacity and availability of file systems (statvfs of the host when null; tests simulate full disks).</summary>
    public IFileSystemStats? FileSystemStats { get; init; }

    /// <summary>Machine facts to report instead of reading them from /proc and /etc (tests, hollow nodes).</summary>
    public MachineInfo? Machine { get; init; }
}
