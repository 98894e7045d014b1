using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>A pod naming a node in spec.nodeName fits only that node.</summary>
internal sealed class NodeName : IFilterPlugin
{
    /// <inheritdoc />
    public string Name => "NodeName";

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node) =>
        string.IsNullOrEmpty(pod.Spec.NodeName) || pod.Spec.NodeName == node.Name
            ? Status.Success
            : Status.Unresolvable("node(s) didn't match the requested node name");
}
