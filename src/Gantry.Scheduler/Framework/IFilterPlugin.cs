using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Framework;

/// <summary>Decides whether a pod may run on a node at all.</summary>
internal interface IFilterPlugin
{
    /// <summary>The plugin's kube-scheduler name.</summary>
    string Name { get; }

    /// <summary>Success, or why the node cannot take the pod.</summary>
    Status Filter(V1Pod pod, PodRequests requests, NodeInfo node);
}
