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
        var reasons = new List<string>();
        var want = requests.Requested;
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
        return reasons.Count == 0 ? Status.Success : new Status(StatusCode.Unschedulable, reasons);
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
