namespace Gantry.Node;

/// <summary>
/// Every host path a node agent uses, derived from its data directory and node name alone, so several agents on one
/// machine (the multi-node test harness) never touch each other's containers, mounts, cgroups or networks.
/// </summary>
public sealed record NodePaths
{
    /// <summary>Paths of the agent <paramref name="nodeName"/> keeping its state under <paramref name="dataDir"/>.</summary>
    public NodePaths(string dataDir, string nodeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDir);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        DataDir = Path.GetFullPath(dataDir);
        NodeName = nodeName;
    }

    /// <summary>The agent's --data-dir.</summary>
    public string DataDir { get; }

    /// <summary>The agent's --node-name.</summary>
    public string NodeName { get; }

    /// <summary>Root of everything the agent keeps on disk.</summary>
    public string AgentDir => Path.Combine(DataDir, "agent");

    /// <summary>Archives dropped here are imported automatically (as k3s does).</summary>
    public string ImageDropDir => Path.Combine(AgentDir, "images");

    /// <summary>The content-addressed image store (blobs, unpacked layers, image index).</summary>
    public string ImageStoreDir => Path.Combine(AgentDir, "image-store");

    /// <summary>runc's --root (container state).</summary>
    public string RuncRoot => Path.Combine(AgentDir, "runc");

    /// <summary>Per-container bundles, overlay upper/work dirs and monitor (conmon) files.</summary>
    public string ContainersDir => Path.Combine(AgentDir, "containers");

    /// <summary>Per-pod sandboxes: pinned namespace files, hostname, resolv.conf.</summary>
    public string SandboxesDir => Path.Combine(AgentDir, "sandboxes");

    /// <summary>Per-pod volume directories (emptyDir, configMap, secret, projected ...).</summary>
    public string PodsDir => Path.Combine(AgentDir, "pods");

    /// <summary>Local-path persistent volumes provisioned on this node.</summary>
    public string LocalVolumesDir => Path.Combine(AgentDir, "local-volumes");

    /// <summary>CNI's dataDir (host-local IPAM leases) and cached results.</summary>
    public string CniDataDir => Path.Combine(AgentDir, "cni");

    /// <summary>The CNI network name, unique per node on this machine.</summary>
    public string CniNetworkName => "gantry-" + NodeName;

    /// <summary>
    /// The cgroup (cgroupfs driver) under which pods live, relative to each v1 controller's mount or to the v2 root:
    /// <c>{CgroupRoot}/{burstable,besteffort}/pod&lt;uid&gt;/&lt;container&gt;</c>, guaranteed pods directly under it.
    /// </summary>
    public string CgroupRoot => $"/gantry/{NodeName}/kubepods";

    /// <summary>
    /// CRI log files: <c>{PodLogsDir}/&lt;namespace&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;restart&gt;.log</c>. Shared by the
    /// agents of one machine as in Kubernetes; pod uids keep them apart.
    /// </summary>
    public string PodLogsDir { get; init; } = "/var/log/pods";
}
