namespace Gantry.Scheduler.Cache;

/// <summary>
/// The scheduler's view of the nodes for one cycle (kube-scheduler's cache.Snapshot): every node's NodeInfo in a stable
/// order, and the nodes holding pods with (required anti-)affinity, which InterPodAffinity walks instead of all nodes.
/// <see cref="SchedulerCache.UpdateSnapshot"/> brings it up to date in place, replacing only the NodeInfos that changed
/// since <see cref="Generation"/>; between two updates it is read by one cycle at a time.
/// </summary>
internal sealed class Snapshot
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<NodeInfo> _nodes = [];

    /// <summary>An empty snapshot (generation 0), to be filled by the cache.</summary>
    public Snapshot()
    {
    }

    /// <summary>A snapshot of fixed <paramref name="nodes"/> (tests, preemption dry runs on a few nodes).</summary>
    public Snapshot(IEnumerable<NodeInfo> nodes)
    {
        foreach (var node in nodes) Set(node);
        RebuildAffinityLists();
    }

    /// <summary>The cache generation this snapshot reflects.</summary>
    public long Generation { get; set; }

    /// <summary>Every node.</summary>
    public IReadOnlyList<NodeInfo> Nodes => _nodes;

    /// <summary>The nodes with at least one pod having pod affinity or anti-affinity (HavePodsWithAffinityList).</summary>
    public IReadOnlyList<NodeInfo> HavePodsWithAffinity { get; private set; } = [];

    /// <summary>The nodes with at least one pod having required pod anti-affinity (HavePodsWithRequiredAntiAffinityList).</summary>
    public IReadOnlyList<NodeInfo> HavePodsWithRequiredAntiAffinity { get; private set; } = [];

    /// <summary>Adds or replaces a node's info; returns the one it replaced, if any.</summary>
    public NodeInfo? Set(NodeInfo info)
    {
        if (_index.TryGetValue(info.Name, out var at))
        {
            var old = _nodes[at];
            _nodes[at] = info;
            return old;
        }
        _index[info.Name] = _nodes.Count;
        _nodes.Add(info);
        return null;
    }

    /// <summary>Replaces every node with <paramref name="nodes"/>.</summary>
    public void Reset(IEnumerable<NodeInfo> nodes)
    {
        _index.Clear();
        _nodes.Clear();
        foreach (var node in nodes) Set(node);
    }

    /// <summary>Recomputes <see cref="HavePodsWithAffinity"/> and <see cref="HavePodsWithRequiredAntiAffinity"/>.</summary>
    public void RebuildAffinityLists()
    {
        var withAffinity = new List<NodeInfo>();
        var withAntiAffinity = new List<NodeInfo>();
        foreach (var node in _nodes)
        {
            if (node.PodsWithAffinity.Count > 0) withAffinity.Add(node);
            if (node.PodsWithRequiredAntiAffinity.Count > 0) withAntiAffinity.Add(node);
        }
        HavePodsWithAffinity = withAffinity;
        HavePodsWithRequiredAntiAffinity = withAntiAffinity;
    }
}
