using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Plugins;
using k8s.Models;

namespace Gantry.Scheduler.Framework;

/// <summary>
/// The default profile's filter and score plugins (in kube-scheduler's order and weights) over a snapshot of nodes:
/// filter every node, score the feasible ones, pick the best (ties at random).
/// </summary>
internal sealed class SchedulingFramework
{
    private readonly IFilterPlugin[] _filters;
    private readonly IScorePlugin[] _scorers;
    private readonly int _parallelism;

    /// <summary>The default plugins, filtering and scoring <paramref name="parallelism"/> nodes at once.</summary>
    public SchedulingFramework(int parallelism)
    {
        var taints = new TaintToleration();
        var affinity = new NodeAffinity();
        var fit = new NodeResourcesFit();
        _filters = [new NodeUnschedulable(), new NodeName(), taints, affinity, new NodePorts(), fit];
        _scorers = [taints, affinity, fit, new BalancedAllocation()];
        _parallelism = Math.Max(1, parallelism);
    }

    /// <summary>The first failing filter's status for the node, or success.</summary>
    public Status RunFilters(V1Pod pod, PodRequests requests, NodeInfo node)
    {
        foreach (var filter in _filters)
        {
            var status = filter.Filter(pod, requests, node);
            if (!status.IsSuccess) return status;
        }
        return Status.Success;
    }

    /// <summary>Filters every node: the feasible ones, and each rejected node's status.</summary>
    public (List<NodeInfo> Feasible, Dictionary<string, Status> Rejected) Filter(V1Pod pod, PodRequests requests, IReadOnlyList<NodeInfo> nodes)
    {
        var statuses = new Status[nodes.Count];
        Parallel.For(0, nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            i => statuses[i] = RunFilters(pod, requests, nodes[i]));
        var feasible = new List<NodeInfo>();
        var rejected = new Dictionary<string, Status>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (statuses[i].IsSuccess) feasible.Add(nodes[i]);
            else rejected[nodes[i].Name] = statuses[i];
        }
        return (feasible, rejected);
    }

    /// <summary>The best feasible node by weighted normalized scores; ties broken uniformly at random.</summary>
    public NodeInfo SelectHost(V1Pod pod, PodRequests requests, IReadOnlyList<NodeInfo> feasible)
    {
        // kube-scheduler skips scoring when only one node fits.
        if (feasible.Count == 1) return feasible[0];
        var totals = new long[feasible.Count];
        foreach (var scorer in _scorers)
        {
            var scores = new long[feasible.Count];
            Parallel.For(0, feasible.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
                i => scores[i] = scorer.Score(pod, requests, feasible[i]));
            scorer.Normalize(scores);
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
