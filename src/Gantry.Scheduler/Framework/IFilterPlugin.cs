using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Framework;

/// <summary>Decides whether a pod may run on a node at all.</summary>
internal interface IFilterPlugin : IPlugin
{
    /// <summary>Success, or why the node cannot take the pod.</summary>
    Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node);
}
