using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>Cordoned nodes (spec.unschedulable) only take pods tolerating node.kubernetes.io/unschedulable:NoSchedule.</summary>
internal sealed class NodeUnschedulable : IFilterPlugin
{
    private static readonly V1Taint UnschedulableTaint = new() { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" };

    /// <inheritdoc />
    public string Name => "NodeUnschedulable";

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node) =>
        node.Unschedulable && !TaintToleration.Tolerates(pod.Spec.Tolerations, UnschedulableTaint)
            ? Status.Unresolvable("node(s) were unschedulable")
            : Status.Success;
}
