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
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        // Runs for every node of every cycle: loops allocate no closure (most pods want no host port).
        var ports = requests.Ports;
        for (var i = 0; i < ports.Count; i++)
        {
            foreach (var used in node.UsedPorts)
            {
                if (used.ConflictsWith(ports[i])) return Status.Unschedulable("node(s) didn't have free ports for the requested pod ports");
            }
        }
        return Status.Success;
    }
}
