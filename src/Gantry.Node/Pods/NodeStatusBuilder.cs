using System.Globalization;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>The Node object the agent registers and the status it reports (nodestatus/setters.go).</summary>
internal static class NodeStatusBuilder
{
    /// <summary>The Node as first registered: labels, taints, the attach/detach annotation and a full status.</summary>
    public static V1Node NewNode(NodeAgentOptions options, NodeFacts node, bool networkReady, DateTime now, IReadOnlyList<Images.ImageInfo> images)
    {
        var labels = new Dictionary<string, string>(options.Labels)
        {
            ["kubernetes.io/hostname"] = options.NodeName,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = "amd64",
        };
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = options.NodeName,
                Labels = labels,
                Annotations = new Dictionary<string, string> { ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true" },
            },
            // spec.podCIDR is the node IPAM controller's to set; --pod-cidr only configures this agent's network.
            Spec = new V1NodeSpec { Taints = options.Taints.Count == 0 ? null : [.. options.Taints] },
            Status = Status(options, node, networkReady, now, null, images),
        };
    }

    /// <summary>The status to post: capacity, allocatable, conditions (transition times kept while unchanged), addresses, info.</summary>
    public static V1NodeStatus Status(NodeAgentOptions options, NodeFacts node, bool networkReady, DateTime now, V1NodeStatus? previous,
        IReadOnlyList<Images.ImageInfo> images)
    {
        var machine = node.Machine;
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(machine.CpuCount.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = new(Ki(machine.MemoryBytes)),
            ["pods"] = new(options.MaxPods.ToString(CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new(Ki(machine.EphemeralStorageBytes)),
            ["hugepages-1Gi"] = new("0"),
            ["hugepages-2Mi"] = new("0"),
        };
        var allocatable = new Dictionary<string, ResourceQuantity>(capacity)
        {
            ["memory"] = new(Ki(node.AllocatableMemory)),
            ["ephemeral-storage"] = new(node.AllocatableEphemeralStorage.ToString(CultureInfo.InvariantCulture)),
        };
        var ready = networkReady
            ? ("True", "KubeletReady", "kubelet is posting ready status")
            : ("False", "KubeletNotReady",
                "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized");
        return new V1NodeStatus
        {
            Capacity = capacity,
            Allocatable = allocatable,
            Conditions =
            [
                Condition(previous, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                node.DiskPressure
                    ? Condition(previous, "DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure", now)
                    : Condition(previous, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                Condition(previous, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                Condition(previous, "Ready", ready.Item1, ready.Item2, ready.Item3, now),
            ],
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = node.NodeIp },
                new V1NodeAddress { Type = "Hostname", Address = options.NodeName },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = options.KubeletPort } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = machine.MachineId,
                SystemUUID = machine.SystemUuid,
                BootID = machine.BootId,
                KernelVersion = machine.KernelVersion,
                OsImage = machine.OsImage,
                ContainerRuntimeVersion = options.ContainerRuntimeVersion,
                KubeletVersion = options.KubeletVersion,
                KubeProxyVersion = options.KubeletVersion,
                OperatingSystem = "linux",
                Architecture = "amd64",
            },
            // The kubelet reports the 50 largest images (nodeStatusMaxImages) with all their names.
            Images = images.Count == 0 ? null : [.. images.OrderByDescending(i => i.Size).Take(50)
                .Select(i => new V1ContainerImage { Names = [.. i.RepoDigests, .. i.RepoTags], SizeBytes = i.Size })],
            VolumesInUse = previous?.VolumesInUse,
            VolumesAttached = previous?.VolumesAttached,
        };
    }

    /// <summary>Whether two statuses differ in more than heartbeat times.</summary>
    public static bool Differs(V1NodeStatus? current, V1NodeStatus wanted)
    {
        if (current is null) return true;
        static string Key(V1NodeStatus s)
        {
            var copy = k8s.KubernetesJson.Deserialize<V1NodeStatus>(k8s.KubernetesJson.Serialize(s));
            foreach (var c in copy.Conditions ?? []) c.LastHeartbeatTime = null;
            copy.Conditions = copy.Conditions?.OrderBy(c => c.Type, StringComparer.Ordinal).ToList();
            return k8s.KubernetesJson.Serialize(copy);
        }
        return Key(current) != Key(wanted);
    }

    private static string Ki(long bytes) => (bytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki";

    // The heartbeat moves with every post, the transition time only when the condition's status changes.
    private static V1NodeCondition Condition(V1NodeStatus? previous, string type, string status, string reason, string message, DateTime now)
    {
        var old = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        var transition = old is not null && old.Status == status && old.LastTransitionTime is { } t ? t : now;
        return new V1NodeCondition { Type = type, Status = status, Reason = reason, Message = message, LastHeartbeatTime = now, LastTransitionTime = transition };
    }
}
