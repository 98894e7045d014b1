using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>A pod's host ports must not collide with host ports already used on the node.</summary>
internal sealed class NodePorts : IFilterPlugin
{
    /// <inheritdoc />
    public string Name => "NodePorts";

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node) =>
        requests.Ports.Any(wanted => node.UsedPorts.Any(used => used.ConflictsWith(wanted)))
            ? Status.Unschedulable("node(s) didn't have free ports for the requested pod ports")
            : Status.Success;
}
