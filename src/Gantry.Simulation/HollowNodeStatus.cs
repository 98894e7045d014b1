using k8s.Models;

namespace Gantry.Simulation;

/// <summary>The Node object and status a hollow node reports, and the fake addresses it hands out.</summary>
internal static class HollowNodeStatus
{
    /// <summary>The node as first registered: labels, pod range and (for servers that keep it on create) its status.</summary>
    public static V1Node NewNode(HollowNodeOptions options, DateTime now)
    {
        var labels = new Dictionary<string, string>(options.Labels)
        {
            ["kubernetes.io/hostname"] = options.Name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
        };
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = options.Name, Labels = labels },
            Spec = new V1NodeSpec { PodCIDR = PodCidr(options.Index), PodCIDRs = [PodCidr(options.Index)] },
            Status = Status(options, now),
        };
    }

    /// <summary>A full, healthy status: capacity, Ready=True with this heartbeat, addresses and node info.</summary>
    public static V1NodeStatus Status(HollowNodeOptions options, DateTime now, IList<V1NodeCondition>? previous = null)
    {
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(options.Cpu),
            ["memory"] = new(options.Memory),
            ["pods"] = new(options.Pods.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new(options.EphemeralStorage),
        };
        return new V1NodeStatus
        {
            Capacity = resources,
            Allocatable = new Dictionary<string, ResourceQuantity>(resources),
            Phase = "Running",
            Conditions =
            [
                Condition(previous, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                Condition(previous, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                Condition(previous, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                Condition(previous, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
            ],
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = NodeIp(options.Index) },
                new V1NodeAddress { Type = "Hostname", Address = options.Name },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 10250 } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = options.Name,
                SystemUUID = options.Name,
                BootID = options.Name,
                KernelVersion = "6.8.0-hollow",
                OsImage = "Gantry hollow node",
                ContainerRuntimeVersion = "hollow://1.0.0",
                KubeletVersion = options.KubeletVersion,
                KubeProxyVersion = options.KubeletVersion,
                OperatingSystem = "linux",
                Architecture = "amd64",
            },
        };
    }

    /// <summary>The node's fake InternalIP: 172.16.0.0/12, one address per node index.</summary>
    public static string NodeIp(int index) => $"172.{16 + index / 65024}.{index / 254 % 256}.{index % 254 + 1}";

    /// <summary>The node's fake pod range: 10.64.0.0/10 cut into one /24 per node index.</summary>
    public static string PodCidr(int index) => $"10.{64 + index / 256 % 64}.{index % 256}.0/24";

    /// <summary>Host address <paramref name="host"/> (1..254) of the node's pod range.</summary>
    public static string PodIp(int index, int host) => $"10.{64 + index / 256 % 64}.{index % 256}.{host}";

    // Like the kubelet: the heartbeat moves every post, the transition time only when the status changes.
    private static V1NodeCondition Condition(IList<V1NodeCondition>? previous, string type, string status, string reason, string message, DateTime now)
    {
        var old = previous?.FirstOrDefault(c => c.Type == type);
        var transition = old is not null && old.Status == status && old.LastTransitionTime is { } t ? t : now;
        return new V1NodeCondition
        {
            Type = type, Status = status, Reason = reason, Message = message, LastHeartbeatTime = now, LastTransitionTime = transition,
        };
    }
}
