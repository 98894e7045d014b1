using Gantry.Scheduler.Cache;

namespace Gantry.Scheduler.Framework;

/// <summary>
/// A node and a copy of the cycle state that pods are removed from and added to, each change passed to the plugins'
/// PreFilter extensions so their Filter sees the node exactly as changed (kube-scheduler's preemption dry run:
/// state.Clone(), nodeInfo.Snapshot(), removePod / addPod with RunPreFilterExtensionRemovePod / AddPod).
/// </summary>
internal sealed class DryRunNode
{
    private readonly SchedulingFramework _framework;
    private readonly List<PodEntry> _pods;

    /// <summary>A trial of <paramref name="node"/> over a copy of <paramref name="state"/>.</summary>
    public DryRunNode(SchedulingFramework framework, CycleState state, NodeInfo node)
    {
        _framework = framework;
        _pods = [.. node.Pods];
        State = state.Clone();
        Node = node;
    }

    /// <summary>The trial's copy of the cycle state.</summary>
    public CycleState State { get; }

    /// <summary>The node as changed so far.</summary>
    public NodeInfo Node { get; private set; }

    /// <summary>Removes <paramref name="pods"/> from the node.</summary>
    public void Remove(IReadOnlyCollection<PodEntry> pods)
    {
        if (pods.Count == 0) return;
        var removed = new HashSet<PodEntry>(pods, ReferenceEqualityComparer.Instance);
        _pods.RemoveAll(removed.Contains);
        Node = new NodeInfo(Node.Node, [.. _pods], Node.Allocatable);
        foreach (var pod in pods) _framework.RemovePod(State, pod, Node);
    }

    /// <summary>Removes <paramref name="pod"/> from the node.</summary>
    public void Remove(PodEntry pod) => Remove([pod]);

    /// <summary>Adds <paramref name="pod"/> to the node.</summary>
    public void Add(PodEntry pod)
    {
        _pods.Add(pod);
        Node = new NodeInfo(Node.Node, [.. _pods], Node.Allocatable);
        _framework.AddPod(State, pod, Node);
    }
}
