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
    private readonly IPreFilterPlugin[] _preFilters;
    private readonly IFilterPlugin[] _filters;
    private readonly IPreFilterExtensions[] _extensions;
    private readonly IPreScorePlugin[] _preScorers;
    private readonly IScorePlugin[] _scorers;
    private readonly int _parallelism;

    /// <summary>The default profile, filtering and scoring <paramref name="parallelism"/> nodes at once.</summary>
    public SchedulingFramework(int parallelism, NamespaceIndex? namespaces = null)
        : this(parallelism, DefaultPlugins(namespaces ?? new NamespaceIndex()))
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
    /// kube-scheduler's default plugins in their order (weights are the plugins'): NodeUnschedulable, NodeName,
    /// TaintToleration (3), NodeAffinity (2), NodePorts, NodeResourcesFit (1), PodTopologySpread (2), InterPodAffinity
    /// (2), NodeResourcesBalancedAllocation (1). Volume plugins go before PodTopologySpread.
    /// </summary>
    public static List<IPlugin> DefaultPlugins(NamespaceIndex namespaces) =>
    [
        new NodeUnschedulable(), new NodeName(), new TaintToleration(), new NodeAffinity(), new NodePorts(), new NodeResourcesFit(),
        new PodTopologySpread(), new InterPodAffinity(namespaces), new BalancedAllocation(),
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
    /// Runs <paramref name="filter"/> (the filters, possibly with nominated pods) on <paramref name="nodes"/> after the
    /// PreFilters ran: the feasible nodes, and each rejected node's status.
    /// </summary>
    public (List<NodeInfo> Feasible, Dictionary<string, Status> Rejected) FilterNodes(CycleState state, IReadOnlyList<NodeInfo> nodes,
        Func<CycleState, NodeInfo, Status> filter)
    {
        var statuses = new Status[nodes.Count];
        Parallel.For(0, nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, i => statuses[i] = filter(state, nodes[i]));
        var feasible = new List<NodeInfo>();
        var rejected = new Dictionary<string, Status>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (statuses[i].IsSuccess) feasible.Add(nodes[i]);
            else rejected[nodes[i].Name] = statuses[i];
        }
        return (feasible, rejected);
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
        var totals = new long[feasible.Count];
        foreach (var scorer in _scorers)
        {
            if (state.SkipScore.Contains(scorer.Name)) continue;
            var scores = new long[feasible.Count];
            Parallel.For(0, feasible.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
                i => scores[i] = scorer.Score(state, state.Pod, state.Requests, feasible[i]));
            scorer.Normalize(state, feasible, scores);
            for (var i = 0; i < scores.Length; i++) totals[i] += scores[i] * scorer.Weight;
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
}
