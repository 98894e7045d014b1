using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>QoS class, cgroup values and requests of a pod, computed as the kubelet's cm/qos and cm helpers do.</summary>
internal static class PodResources
{
    private const int GuaranteedOomScoreAdj = -997;
    private const int BestEffortOomScoreAdj = 1000;
    private const long MinShares = 2;
    private const long CpuPeriod = 100_000;
    private const long MinQuota = 1000;

    /// <summary>Guaranteed, Burstable or BestEffort (v1qos.GetPodQOS).</summary>
    public static string QosClass(V1Pod pod)
    {
        var containers = AllContainers(pod).ToList();
        bool any = false, guaranteed = true;
        foreach (var c in containers)
        {
            foreach (var resource in (string[])["cpu", "memory"])
            {
                var request = Request(c, resource);
                var limit = Limit(c, resource);
                if (request > 0 || limit > 0) any = true;
                if (limit == 0 || request != limit) guaranteed = false;
            }
        }
        if (!any) return "BestEffort";
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    /// <summary>The pod's cgroup: guaranteed pods directly under the root, the others under burstable/ or besteffort/.</summary>
    public static string CgroupParent(NodePaths paths, V1Pod pod) => QosClass(pod) switch
    {
        "Guaranteed" => $"{paths.CgroupRoot}/pod{pod.Metadata.Uid}",
        "Burstable" => $"{paths.CgroupRoot}/burstable/pod{pod.Metadata.Uid}",
        _ => $"{paths.CgroupRoot}/besteffort/pod{pod.Metadata.Uid}",
    };

    /// <summary>cgroup limits of one container (kuberuntime_container_linux.go + cm/helpers_linux.go).</summary>
    public static Runtime.LinuxResources ForContainer(V1Pod pod, V1Container container, long memoryCapacity)
    {
        var cpuLimit = Limit(container, "cpu");
        var memoryLimit = Limit(container, "memory");
        return new Runtime.LinuxResources
        {
            CpuShares = Shares(Request(container, "cpu")),
            CpuQuota = cpuLimit > 0 ? Quota(cpuLimit) : null,
            MemoryLimitBytes = memoryLimit > 0 ? memoryLimit : null,
            OomScoreAdj = OomScoreAdj(pod, container, memoryCapacity),
        };
    }

    /// <summary>The pod cgroup's limits: summed shares, and quota/memory only when every container is limited.</summary>
    public static Runtime.LinuxResources ForPod(V1Pod pod)
    {
        var containers = pod.Spec.Containers;
        var cpuLimited = containers.All(c => Limit(c, "cpu") > 0);
        var memoryLimited = containers.All(c => Limit(c, "memory") > 0);
        return new Runtime.LinuxResources
        {
            CpuShares = Shares(EffectiveRequest(pod, "cpu")),
            CpuQuota = cpuLimited ? Quota(containers.Sum(c => Limit(c, "cpu"))) : null,
            MemoryLimitBytes = memoryLimited ? containers.Sum(c => Limit(c, "memory")) : null,
        };
    }

    /// <summary>
    /// What the pod asks of the node for admission: max(sum of containers, largest init container); cpu in millicores,
    /// memory in bytes.
    /// </summary>
    public static long EffectiveRequest(V1Pod pod, string resource)
    {
        var sum = pod.Spec.Containers.Sum(c => Request(c, resource));
        var sidecars = 0L;
        var initMax = 0L;
        foreach (var init in pod.Spec.InitContainers ?? [])
        {
            var request = Request(init, resource);
            if (init.RestartPolicy == "Always")
            {
                sidecars += request;
                initMax = Math.Max(initMax, sidecars);
            }
            else initMax = Math.Max(initMax, sidecars + request);
        }
        return Math.Max(sum + sidecars, initMax);
    }

    /// <summary>A container's request (defaulting to its limit, as the API server defaults it): millicores for cpu, else units.</summary>
    public static long Request(V1Container container, string resource)
    {
        var value = container.Resources?.Requests is { } r && r.TryGetValue(resource, out var q) ? q
            : container.Resources?.Limits is { } l && l.TryGetValue(resource, out var lq) ? lq : null;
        return Amount(value, resource);
    }

    /// <summary>A container's limit (0 = none): millicores for cpu, else units.</summary>
    public static long Limit(V1Container container, string resource) =>
        Amount(container.Resources?.Limits is { } l && l.TryGetValue(resource, out var q) ? q : null, resource);

    /// <summary>A quantity in millicores (cpu, rounded up) or units (everything else, rounded up).</summary>
    public static long Amount(ResourceQuantity? quantity, string resource)
    {
        if (quantity is null) return 0;
        var value = quantity.ToDecimal();
        return (long)Math.Ceiling(resource == "cpu" ? value * 1000 : value);
    }

    private static IEnumerable<V1Container> AllContainers(V1Pod pod) => (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers);

    private static long Shares(long milliCpu) => milliCpu == 0 ? MinShares : Math.Max(MinShares, milliCpu * 1024 / 1000);

    private static long Quota(long milliCpu) => Math.Max(MinQuota, milliCpu * CpuPeriod / 1000);

    // qos/policy.go GetContainerOOMScoreAdjust (critical pods aside).
    private static int OomScoreAdj(V1Pod pod, V1Container container, long memoryCapacity)
    {
        switch (QosClass(pod))
        {
            case "Guaranteed": return GuaranteedOomScoreAdj;
            case "BestEffort": return BestEffortOomScoreAdj;
        }
        var request = Request(container, "memory");
        var adjust = memoryCapacity <= 0 ? BestEffortOomScoreAdj : 1000 - 1000 * request / memoryCapacity;
        if (adjust < 1000 + GuaranteedOomScoreAdj) return 1000 + GuaranteedOomScoreAdj;
        if (adjust == BestEffortOomScoreAdj) return BestEffortOomScoreAdj - 1;
        return (int)adjust;
    }
}
