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

    private static readonly Dictionary<string, long> NoScalars = new(StringComparer.Ordinal);

    // Most pods and nodes have no scalar resources: the dictionary is made on the first one (every NodeInfo and pod
    // holds several amounts, rebuilt at thousands per second).
    private Dictionary<string, long>? _scalars;

    /// <summary>Extended and hugepage resources by name.</summary>
    public IReadOnlyDictionary<string, long> Scalars => _scalars ?? NoScalars;

    /// <summary>True when there is any scalar resource (checked before enumerating <see cref="Scalars"/> in hot loops).</summary>
    public bool HasScalars => _scalars is { Count: > 0 };

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
                    if (IsScalar(name)) AddScalar(name, Whole(quantity));
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
        if (other._scalars is null) return;
        foreach (var (name, value) in other._scalars) AddScalar(name, value);
    }

    /// <summary>Raises each resource to at least <paramref name="other"/>'s amount.</summary>
    public void Max(Resources other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        Memory = Math.Max(Memory, other.Memory);
        EphemeralStorage = Math.Max(EphemeralStorage, other.EphemeralStorage);
        if (other._scalars is null) return;
        _scalars ??= new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in other._scalars) _scalars[name] = Math.Max(_scalars.GetValueOrDefault(name), value);
    }

    /// <summary>A copy.</summary>
    public Resources Clone()
    {
        var r = new Resources { MilliCpu = MilliCpu, Memory = Memory, EphemeralStorage = EphemeralStorage, Pods = Pods };
        if (_scalars is not null) r._scalars = new Dictionary<string, long>(_scalars, StringComparer.Ordinal);
        return r;
    }

    private void AddScalar(string name, long value)
    {
        _scalars ??= new Dictionary<string, long>(StringComparer.Ordinal);
        _scalars[name] = _scalars.GetValueOrDefault(name) + value;
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
