using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Framework;

/// <summary>
/// One scheduling cycle of one pod (kube-scheduler's framework.CycleState): the pod, its requests, the snapshot of
/// nodes, and what plugins computed in PreFilter / PreScore for their Filter / Score. Written only by the
/// single-threaded phases, read in parallel by Filter and Score.
/// </summary>
internal sealed class CycleState
{
    private readonly Dictionary<string, ICycleStateData> _data;

    /// <summary>A new cycle for <paramref name="pod"/> over <paramref name="snapshot"/>.</summary>
    public CycleState(V1Pod pod, PodRequests requests, Snapshot snapshot)
        : this(pod, requests, snapshot, new Dictionary<string, ICycleStateData>(StringComparer.Ordinal), [], [])
    {
    }

    /// <summary>A new cycle for <paramref name="pod"/> over a snapshot of <paramref name="nodes"/>.</summary>
    public CycleState(V1Pod pod, PodRequests requests, IEnumerable<NodeInfo> nodes)
        : this(pod, requests, new Snapshot(nodes))
    {
    }

    private CycleState(V1Pod pod, PodRequests requests, Snapshot snapshot, Dictionary<string, ICycleStateData> data,
        HashSet<string> skipFilter, HashSet<string> skipScore)
    {
        Pod = pod;
        Requests = requests;
        Snapshot = snapshot;
        _data = data;
        SkipFilter = skipFilter;
        SkipScore = skipScore;
    }

    /// <summary>The pod being scheduled.</summary>
    public V1Pod Pod { get; }

    /// <summary>Its requests.</summary>
    public PodRequests Requests { get; }

    /// <summary>The snapshot of nodes (the shared lister of kube-scheduler's plugins).</summary>
    public Snapshot Snapshot { get; }

    /// <summary>Every node of the snapshot.</summary>
    public IReadOnlyList<NodeInfo> Nodes => Snapshot.Nodes;

    /// <summary>Plugins whose PreFilter returned Skip: their Filter is not run.</summary>
    public HashSet<string> SkipFilter { get; }

    /// <summary>Plugins whose PreScore returned Skip: they do not score.</summary>
    public HashSet<string> SkipScore { get; }

    /// <summary>How many threads a plugin may use to aggregate over <see cref="Nodes"/> (set by the framework).</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>The filters to run on each node: those whose PreFilter did not skip (set by the framework).</summary>
    internal IFilterPlugin[]? ActiveFilters { get; set; }

    /// <summary>Stores a plugin's data under <paramref name="key"/>.</summary>
    public void Write(string key, ICycleStateData data) => _data[key] = data;

    /// <summary>The data stored under <paramref name="key"/>, or null.</summary>
    public T? Read<T>(string key) where T : class, ICycleStateData => _data.GetValueOrDefault(key) as T;

    /// <summary>A deep copy (each plugin's data cloned), for preemption to try removing pods without touching this cycle.</summary>
    public CycleState Clone() => new(Pod, Requests, Snapshot,
        _data.ToDictionary(d => d.Key, d => d.Value.Clone(), StringComparer.Ordinal), [.. SkipFilter], [.. SkipScore])
    {
        ActiveFilters = ActiveFilters,
        Parallelism = Parallelism,
    };
}
