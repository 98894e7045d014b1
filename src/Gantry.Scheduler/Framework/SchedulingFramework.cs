using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Plugins;

namespace Gantry.Scheduler.Framework;

/// <summary>
/// A profile of plugins over a snapshot of nodes, run as kube-scheduler runs them: PreFilter once, Filter on every
/// node, then PreScore once and Score on the feasible nodes, picking the best (ties at random). A plugin takes part in
/// each extension point whose interface it implements, in the order of the plugin list (kube-scheduler's multiPoint).
/// </summary>
internal sealed class SchedulingFramework
{
    // kube-scheduler's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind.
    private const int MinFeasibleNodesToFind = 100;
    private const int MinFeasibleNodesPercentageToFind = 5;

    private const int FilterChunk = 256;
    private const int ParallelScoreMinNodes = 2048;

    private readonly IPreFilterPlugin[] _preFilters;
    private readonly IFilterPlugin[] _filters;
    private readonly IPreFilterExtensions[] _extensions;
    private readonly IPreScorePlugin[] _preScorers;
    private readonly IScorePlugin[] _scorers;
    private readonly int _parallelism;
    // Where the next cycle starts filtering (kube-scheduler's nextStartNodeIndex); only the scheduling loop uses it.
    private int _nextStartNodeIndex;
    // The score arrays of the last cycle (see ScoreBuffers); only the scheduling loop uses them.
    private long[][] _scores = [[]];

    /// <summary>
    /// The default profile, filtering and scoring <paramref name="parallelism"/> nodes at once; <paramref name="spread"/> is its
    /// PodTopologySpread (one without default constraints when null).
    /// </summary>
    public SchedulingFramework(int parallelism, NamespaceIndex? namespaces = null, PodTopologySpread? spread = null)
        : this(parallelism, DefaultPlugins(namespaces ?? new NamespaceIndex(), spread))
    {
    }

    /// <summary>A profile of <paramref name="plugins"/>, in their extension points' order.</summary>
    public SchedulingFramework(int parallelism, IReadOnlyList<IPlugin> plugins)
    {
        _preFilters = [.. plugins.OfType<IPreFilterPlugin>()];
        _filters = [.. plugins.OfType<IFilterPlugin>()];
        _extensions = [.. plugins.OfType<IPreFilterExtensions>()];
        _preScorers = [.. plugins.OfType<IPreScorePlugin>()];
        _scorers = [.. plugins.OfType<IScorePlugin>()];
        _parallelism = Math.Max(1, parallelism);
    }

    /// <summary>
    /// percentageOfNodesToScore: once this percentage of the nodes (at least 100) is found feasible, filtering stops;
    /// 0 means kube-scheduler's adaptive default (50% minus 1% per 125 nodes, at least 5%).
    /// </summary>
    public int PercentageOfNodesToScore { get; init; }

    /// <summary>
    /// From how many nodes filtering is spread over threads (in chunks). Filtering a node costs well under a microsecond
    /// for the usual pod: on 2 cores, 5,000 nodes filter in 37 µs in order and 120 µs in parallel (bench/RESULTS.md), so
    /// only machines with 4 cores or more filter in parallel, from 4,096 nodes.
    /// </summary>
    internal int ParallelFilterMinNodes { get; init; } = Environment.ProcessorCount >= 4 ? 4096 : int.MaxValue;

    /// <summary>
    /// kube-scheduler's default plugins in their order (weights are the plugins'): NodeUnschedulable, NodeName,
    /// TaintToleration (3), NodeAffinity (2), NodePorts, NodeResourcesFit (1), PodTopologySpread (2), InterPodAffinity
    /// (2), NodeResourcesBalancedAllocation (1). Volume plugins go before PodTopologySpread.
    /// </summary>
    public static List<IPlugin> DefaultPlugins(NamespaceIndex namespaces, PodTopologySpread? spread = null) =>
    [
        new NodeUnschedulable(), new NodeName(), new TaintToleration(), new NodeAffinity(), new NodePorts(), new NodeResourcesFit(),
        spread ?? new PodTopologySpread(), new InterPodAffinity(namespaces), new BalancedAllocation(),
    ];

    /// <summary>
    /// Runs every PreFilter: plugins that skip are left out of this cycle's filters. Returns the first rejection, which
    /// applies to every node.
    /// </summary>
    public Status RunPreFilters(CycleState state)
    {
        state.Parallelism = _parallelism;
        foreach (var plugin in _preFilters)
        {
            var status = plugin.PreFilter(state);
            if (status.Code == StatusCode.Skip) state.SkipFilter.Add(plugin.Name);
            else if (!status.IsSuccess) return status;
        }
        state.ActiveFilters = state.SkipFilter.Count == 0 ? _filters : [.. _filters.Where(f => !state.SkipFilter.Contains(f.Name))];
        return Status.Success;
    }

    /// <summary>The first failing filter's status for the node, or success.</summary>
    public Status RunFilters(CycleState state, NodeInfo node)
    {
        foreach (var filter in state.ActiveFilters ?? _filters)
        {
            var status = filter.Filter(state, state.Pod, state.Requests, node);
            if (!status.IsSuccess) return status;
        }
        return Status.Success;
    }

    /// <summary>Updates every plugin's PreFilter state as if <paramref name="added"/> ran on <paramref name="node"/> (RunPreFilterExtensionAddPod).</summary>
    public void AddPod(CycleState state, PodEntry added, NodeInfo node)
    {
        foreach (var extension in _extensions)
        {
            if (!state.SkipFilter.Contains(extension.Name)) extension.AddPod(state, added, node);
        }
    }

    /// <summary>Updates every plugin's PreFilter state as if <paramref name="removed"/> left <paramref name="node"/> (RunPreFilterExtensionRemovePod).</summary>
    public void RemovePod(CycleState state, PodEntry removed, NodeInfo node)
    {
        foreach (var extension in _extensions)
        {
            if (!state.SkipFilter.Contains(extension.Name)) extension.RemovePod(state, removed, node);
        }
    }

    /// <summary>PreFilter, then Filter on every node: the feasible nodes, and each rejected node's status.</summary>
    public (List<NodeInfo> Feasible, Dictionary<string, Status> Rejected) Filter(CycleState state)
    {
        var preFilter = RunPreFilters(state);
        return preFilter.IsSuccess ? FilterNodes(state, state.Nodes, RunFilters) : RejectAll(state.Nodes, preFilter);
    }

    /// <summary>Every node rejected with the PreFilter's <paramref name="status"/>.</summary>
    public static (List<NodeInfo> Feasible, Dictionary<string, Status> Rejected) RejectAll(IReadOnlyList<NodeInfo> nodes, Status status)
    {
        var rejected = new Dictionary<string, Status>(nodes.Count, StringComparer.Ordinal);
        foreach (var node in nodes) rejected[node.Name] = status;
        return ([], rejected);
    }

    /// <summary>
    /// numFeasibleNodesToFind: how many feasible nodes filtering looks for among <paramref name="allNodes"/> — all of
    /// them below 100, else <paramref name="percentage"/> of them (0: 50% minus 1% per 125 nodes, at least 5%), at
    /// least 100.
    /// </summary>
    public static int NumFeasibleNodesToFind(int percentage, int allNodes)
    {
        if (allNodes < MinFeasibleNodesToFind) return allNodes;
        if (percentage <= 0) percentage = Math.Max(50 - allNodes / 125, MinFeasibleNodesPercentageToFind);
        return Math.Max((int)((long)allNodes * Math.Min(percentage, 100) / 100), MinFeasibleNodesToFind);
    }

    /// <summary>The node filtering starts from in the next cycle (it moves past the nodes each cycle examined).</summary>
    public int NextStartNodeIndex => _nextStartNodeIndex;

    /// <summary>
    /// findNodesThatPassFilters: runs <paramref name="filter"/> (the filters, possibly with nominated pods) on the
    /// nodes from the rotating start index on, until <see cref="NumFeasibleNodesToFind"/> are feasible; then moves the
    /// start index past the nodes examined, so the next pods look at others first. Returns the feasible nodes and each
    /// examined, rejected node's status. With <paramref name="rotate"/> false (a nominated node alone) every node is
    /// examined and the index stays.
    /// </summary>
    public (List<NodeInfo> Feasible, Dictionary<string, Status> Rejected) FilterNodes(CycleState state, IReadOnlyList<NodeInfo> nodes,
        Func<CycleState, NodeInfo, Status> filter, bool rotate = true)
    {
        var all = nodes.Count;
        var toFind = rotate ? NumFeasibleNodesToFind(PercentageOfNodesToScore, all) : all;
        var start = rotate && all > 0 ? _nextStartNodeIndex % all : 0;
        var feasible = new List<NodeInfo>(toFind);
        var rejected = new Dictionary<string, Status>(StringComparer.Ordinal);
        var examined = _parallelism > 1 && all >= ParallelFilterMinNodes
            ? FilterInParallel(state, nodes, filter, start, toFind, feasible, rejected)
            : FilterInOrder(state, nodes, filter, start, toFind, feasible, rejected);
        if (rotate && all > 0) _nextStartNodeIndex = (start + examined) % all;
        return (feasible, rejected);
    }

    private static int FilterInOrder(CycleState state, IReadOnlyList<NodeInfo> nodes, Func<CycleState, NodeInfo, Status> filter, int start,
        int toFind, List<NodeInfo> feasible, Dictionary<string, Status> rejected)
    {
        var all = nodes.Count;
        for (var i = 0; i < all; i++)
        {
            var node = nodes[(start + i) % all];
            var status = filter(state, node);
            if (!status.IsSuccess)
            {
                rejected[node.Name] = status;
                continue;
            }
            feasible.Add(node);
            if (feasible.Count == toFind) return i + 1;
        }
        return all;
    }

    /// <summary>
    /// The parallel variant: workers take chunks of consecutive nodes and stop taking more once enough nodes are
    /// feasible; feasible nodes beyond the number wanted are dropped, as kube-scheduler's workers do.
    /// </summary>
    private int FilterInParallel(CycleState state, IReadOnlyList<NodeInfo> nodes, Func<CycleState, NodeInfo, Status> filter, int start,
        int toFind, List<NodeInfo> feasible, Dictionary<string, Status> rejected)
    {
        var all = nodes.Count;
        var statuses = new Status?[all];
        var found = 0;
        var chunks = (all + FilterChunk - 1) / FilterChunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, (chunk, loop) =>
        {
            if (Volatile.Read(ref found) >= toFind)
            {
                loop.Stop();
                return;
            }
            var end = Math.Min(all, (chunk + 1) * FilterChunk);
            for (var i = chunk * FilterChunk; i < end; i++)
            {
                var status = filter(state, nodes[(start + i) % all]);
                statuses[i] = status;
                if (status.IsSuccess) Interlocked.Increment(ref found);
            }
        });
        var examined = 0;
        for (var i = 0; i < all; i++)
        {
            if (statuses[i] is not { } status) continue;
            examined++;
            var node = nodes[(start + i) % all];
            if (!status.IsSuccess) rejected[node.Name] = status;
            else if (feasible.Count < toFind) feasible.Add(node);
        }
        return examined;
    }

    /// <summary>The best feasible node by weighted normalized scores after PreScore; ties broken uniformly at random.</summary>
    public NodeInfo SelectHost(CycleState state, IReadOnlyList<NodeInfo> feasible)
    {
        // kube-scheduler skips scoring when only one node fits.
        if (feasible.Count == 1) return feasible[0];
        foreach (var plugin in _preScorers)
        {
            if (plugin.PreScore(state, feasible).Code == StatusCode.Skip) state.SkipScore.Add(plugin.Name);
        }
        var scorers = state.SkipScore.Count == 0 ? _scorers : [.. _scorers.Where(p => !state.SkipScore.Contains(p.Name))];
        var scores = ScoreBuffers(scorers.Length, feasible.Count);
        // One pass over the nodes for every scorer: a node's data is read once, and the few hundred cheap scores of a
        // usual cycle are not worth handing to other threads.
        if (_parallelism > 1 && feasible.Count >= ParallelScoreMinNodes)
        {
            Parallel.For(0, feasible.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, i => ScoreNode(state, scorers, scores, feasible, i));
        }
        else
        {
            for (var i = 0; i < feasible.Count; i++) ScoreNode(state, scorers, scores, feasible, i);
        }
        var totals = scores[scorers.Length];
        Array.Clear(totals);
        for (var p = 0; p < scorers.Length; p++)
        {
            scorers[p].Normalize(state, feasible, scores[p]);
            var weight = scorers[p].Weight;
            for (var i = 0; i < totals.Length; i++) totals[i] += scores[p][i] * weight;
        }
        // Reservoir sampling over the nodes sharing the top score.
        var best = 0;
        var ties = 1;
        for (var i = 1; i < totals.Length; i++)
        {
            if (totals[i] > totals[best])
            {
                best = i;
                ties = 1;
            }
            else if (totals[i] == totals[best] && Random.Shared.Next(++ties) == 0)
            {
                best = i;
            }
        }
        return feasible[best];
    }

    /// <summary>
    /// One score array per scorer plus the totals, <paramref name="nodes"/> long each, reused from the last cycle when the
    /// sizes match (every cycle of a large cluster scores the same number of nodes): a few KiB per scorer and cycle
    /// were most of a cycle's garbage. Only the scheduling loop calls it, one cycle at a time.
    /// </summary>
    private long[][] ScoreBuffers(int scorers, int nodes)
    {
        if (_scores.Length != scorers + 1 || _scores[0].Length != nodes)
        {
            _scores = new long[scorers + 1][];
            for (var p = 0; p <= scorers; p++) _scores[p] = new long[nodes];
        }
        return _scores;
    }

    private static void ScoreNode(CycleState state, IScorePlugin[] scorers, long[][] scores, IReadOnlyList<NodeInfo> feasible, int i)
    {
        var node = feasible[i];
        for (var p = 0; p < scorers.Length; p++) scores[p][i] = scorers[p].Score(state, state.Pod, state.Requests, node);
    }
}
