using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// Filter: the pod's requests must fit in allocatable minus what the node's pods request (pods count, cpu, memory,
/// ephemeral-storage, extended resources). Score: LeastAllocated over cpu and memory with equal weights.
/// </summary>
internal sealed class NodeResourcesFit : IFilterPlugin, IScorePlugin
{
    /// <inheritdoc />
    public string Name => "NodeResourcesFit";

    /// <inheritdoc />
    public int Weight => 1;

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        // Checked without allocating first: on most nodes the pod fits, and this runs for every node of every cycle.
        return Fits(requests.Requested, node) ? Status.Success : new Status(StatusCode.Unschedulable, Reasons(requests.Requested, node));
    }

    private static bool Fits(Resources want, NodeInfo node)
    {
        var free = node.Allocatable;
        var used = node.Requested;
        if (node.Pods.Count + 1 > free.Pods) return false;
        if (want.MilliCpu > 0 && want.MilliCpu > free.MilliCpu - used.MilliCpu) return false;
        if (want.Memory > 0 && want.Memory > free.Memory - used.Memory) return false;
        if (want.EphemeralStorage > 0 && want.EphemeralStorage > free.EphemeralStorage - used.EphemeralStorage) return false;
        if (!want.HasScalars) return true;
        foreach (var (name, amount) in want.Scalars)
        {
            if (amount > 0 && amount > free.Scalars.GetValueOrDefault(name) - used.Scalars.GetValueOrDefault(name)) return false;
        }
        return true;
    }

    private static List<string> Reasons(Resources want, NodeInfo node)
    {
        var reasons = new List<string>();
        var free = node.Allocatable;
        var used = node.Requested;
        if (node.Pods.Count + 1 > free.Pods) reasons.Add("Too many pods");
        if (want.MilliCpu > 0 && want.MilliCpu > free.MilliCpu - used.MilliCpu) reasons.Add("Insufficient cpu");
        if (want.Memory > 0 && want.Memory > free.Memory - used.Memory) reasons.Add("Insufficient memory");
        if (want.EphemeralStorage > 0 && want.EphemeralStorage > free.EphemeralStorage - used.EphemeralStorage) reasons.Add("Insufficient ephemeral-storage");
        foreach (var (name, amount) in want.Scalars.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (amount > 0 && amount > free.Scalars.GetValueOrDefault(name) - used.Scalars.GetValueOrDefault(name)) reasons.Add($"Insufficient {name}");
        }
        return reasons;
    }

    /// <inheritdoc />
    public long Score(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        long total = 0, weights = 0;
        Add(node.NonZeroRequested.MilliCpu + requests.NonZero.MilliCpu, node.Allocatable.MilliCpu);
        Add(node.NonZeroRequested.Memory + requests.NonZero.Memory, node.Allocatable.Memory);
        return weights == 0 ? 0 : total / weights;

        void Add(long requested, long allocatable)
        {
            if (allocatable == 0) return;
            total += requested > allocatable ? 0 : (allocatable - requested) * ScoreNormalizer.MaxNodeScore / allocatable;
            weights++;
        }
    }

    /// <inheritdoc />
    public void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores)
    {
        // Already on 0..100.
    }
}
