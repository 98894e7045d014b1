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
        var cpu = Fraction(node.Requested.MilliCpu + requests.Requested.MilliCpu, node.Allocatable.MilliCpu);
        var memory = Fraction(node.Requested.Memory + requests.Requested.Memory, node.Allocatable.Memory);
        // With two resources the standard deviation is half their difference; with fewer it is 0.
        var std = cpu is { } c && memory is { } m ? Math.Abs(c - m) / 2 : 0;
        return (long)((1 - std) * ScoreNormalizer.MaxNodeScore);
    }

    private static double? Fraction(long requested, long allocatable) => allocatable == 0 ? null : Math.Min(1.0, (double)requested / allocatable);

    /// <inheritdoc />
    public void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores)
    {
        // Already on 0..100.
    }
}
