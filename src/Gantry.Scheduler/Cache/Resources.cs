using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>Amounts of compute resources: cpu in millicores, the rest in whole units, as kube-scheduler counts them.</summary>
internal sealed class Resources
{
    /// <summary>CPU in millicores.</summary>
    public long MilliCpu { get; set; }

    /// <summary>Memory in bytes.</summary>
    public long Memory { get; set; }

    /// <summary>Ephemeral storage in bytes.</summary>
    public long EphemeralStorage { get; set; }

    /// <summary>How many pods (only meaningful for allocatable).</summary>
    public long Pods { get; set; }

    /// <summary>Extended and hugepage resources by name.</summary>
    public Dictionary<string, long> Scalars { get; } = new(StringComparer.Ordinal);

    /// <summary>Sums a resource list.</summary>
    public static Resources From(IDictionary<string, ResourceQuantity>? list)
    {
        var r = new Resources();
        r.Add(list);
        return r;
    }

    /// <summary>Adds a resource list.</summary>
    public void Add(IDictionary<string, ResourceQuantity>? list)
    {
        if (list is null) return;
        foreach (var (name, quantity) in list)
        {
            if (quantity is null) continue;
            switch (name)
            {
                case "cpu": MilliCpu += Milli(quantity); break;
                case "memory": Memory += Whole(quantity); break;
                case "ephemeral-storage": EphemeralStorage += Whole(quantity); break;
                case "pods": Pods += Whole(quantity); break;
                default:
                    if (IsScalar(name)) Scalars[name] = Scalars.GetValueOrDefault(name) + Whole(quantity);
                    break;
            }
        }
    }

    /// <summary>Adds another amount.</summary>
    public void Add(Resources other)
    {
        MilliCpu += other.MilliCpu;
        Memory += other.Memory;
        EphemeralStorage += other.EphemeralStorage;
        Pods += other.Pods;
        foreach (var (name, value) in other.Scalars) Scalars[name] = Scalars.GetValueOrDefault(name) + value;
    }

    /// <summary>Raises each resource to at least <paramref name="other"/>'s amount.</summary>
    public void Max(Resources other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        Memory = Math.Max(Memory, other.Memory);
        EphemeralStorage = Math.Max(EphemeralStorage, other.EphemeralStorage);
        foreach (var (name, value) in other.Scalars) Scalars[name] = Math.Max(Scalars.GetValueOrDefault(name), value);
    }

    /// <summary>A copy.</summary>
    public Resources Clone()
    {
        var r = new Resources { MilliCpu = MilliCpu, Memory = Memory, EphemeralStorage = EphemeralStorage, Pods = Pods };
        foreach (var (name, value) in Scalars) r.Scalars[name] = value;
        return r;
    }

    /// <summary>
    /// Extended resources (a domain other than kubernetes.io), hugepages and attachable volumes are the "scalar" resources
    /// kube-scheduler checks besides cpu, memory, ephemeral-storage and pods.
    /// </summary>
    private static bool IsScalar(string name) =>
        name.StartsWith("hugepages-", StringComparison.Ordinal) || name.StartsWith("attachable-volumes-", StringComparison.Ordinal) ||
        (name.Contains('/', StringComparison.Ordinal) && !name.StartsWith("kubernetes.io/", StringComparison.Ordinal) &&
         !name.StartsWith("requests.", StringComparison.Ordinal));

    // Quantities round up, as resource.Quantity's Value and MilliValue do.
    private static long Milli(ResourceQuantity q) => (long)Math.Ceiling(q.ToDecimal() * 1000m);

    private static long Whole(ResourceQuantity q) => (long)Math.Ceiling(q.ToDecimal());
}
