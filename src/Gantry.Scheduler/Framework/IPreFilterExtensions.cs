using Gantry.Scheduler.Cache;

namespace Gantry.Scheduler.Framework;

/// <summary>
/// Updates a plugin's PreFilter state as if a pod were added to or removed from a node, so preemption can evaluate a
/// node without its victims (kube-scheduler's PreFilterExtensions).
/// </summary>
internal interface IPreFilterExtensions : IPlugin
{
    /// <summary>The state as if <paramref name="added"/> ran on <paramref name="node"/>.</summary>
    void AddPod(CycleState state, PodEntry added, NodeInfo node);

    /// <summary>The state as if <paramref name="removed"/> no longer ran on <paramref name="node"/>.</summary>
    void RemovePod(CycleState state, PodEntry removed, NodeInfo node);
}
