namespace Gantry.Node.Runtime;

/// <summary>What a pod's sandbox needs: identity, hostname, DNS, host namespaces and its cgroup.</summary>
public sealed record PodSandboxConfig
{
    /// <summary>metadata.uid.</summary>
    public required string PodUid { get; init; }

    /// <summary>metadata.namespace.</summary>
    public required string PodNamespace { get; init; }

    /// <summary>metadata.name.</summary>
    public required string PodName { get; init; }

    /// <summary>Sandbox attempt, incremented when the sandbox had to be recreated.</summary>
    public int Attempt { get; init; }

    /// <summary>Hostname inside the UTS namespace (spec.hostname or the pod name).</summary>
    public required string Hostname { get; init; }

    /// <summary>The /etc/resolv.conf content every container of the pod sees; null keeps the host's.</summary>
    public string? ResolvConf { get; init; }

    /// <summary>The /etc/hosts content every container of the pod sees; null keeps the host's.</summary>
    public string? Hosts { get; init; }

    /// <summary>spec.hostNetwork: share the host's network (and UTS) namespace.</summary>
    public bool HostNetwork { get; init; }

    /// <summary>spec.hostIPC.</summary>
    public bool HostIpc { get; init; }

    /// <summary>spec.hostPID.</summary>
    public bool HostPid { get; init; }

    /// <summary>The pod's cgroup relative to the controllers' mounts, e.g. /gantry/node-1/kubepods/burstable/pod&lt;uid&gt;.</summary>
    public required string CgroupParent { get; init; }

    /// <summary>Pod-level limits for the pod cgroup (sum of containers), null when unlimited.</summary>
    public LinuxResources? Resources { get; init; }

    /// <summary>Labels to find the sandbox again (pod name/namespace/uid are always recorded).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
