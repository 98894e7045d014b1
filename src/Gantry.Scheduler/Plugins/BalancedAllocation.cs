using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in similar fractions.</summary>
internal sealed class BalancedAllocation : IScorePlugin
{
    /// <inheritdoc />
    public string Name => "NodeResourcesBalancedAllocation";

    /// <inheritdoc />
    public int Weight => 1;

    /// <inheritdoc />
    public long Score(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        var fractions = new List<double>(2);
        Add(node.Requested.MilliCpu + requests.Requested.MilliCpu, node.Allocatable.MilliCpu);
        Add(node.Requested.Memory + requests.Requested.Memory, node.Allocatable.Memory);
        // With two resources the standard deviation is half their difference.
        var std = fractions.Count == 2 ? Math.Abs(fractions[0] - fractions[1]) / 2 : 0;
        return (long)((1 - std) * ScoreNormalizer.MaxNodeScore);

        void Add(long requested, long allocatable)
        {
            if (allocatable != 0) fractions.Add(Math.Min(1.0, (double)requested / allocatable));
        }
    }

    /// <inheritdoc />
    public void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores)
    {
        // Already on 0..100.
    }
}
