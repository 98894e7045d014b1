using Gantry.Controllers.Deployment;
using Gantry.Controllers.Disruption;
using Gantry.Controllers.NodeLifecycle;
using Gantry.Controllers.ReplicaSet;

namespace Gantry.Controllers;

/// <summary>Every controller <c>gantry server</c> and <c>gantry controllers</c> run, by name.</summary>
public static class ControllerCatalog
{
    /// <summary>Factories of all controllers, keyed by name.</summary>
    public static IReadOnlyDictionary<string, Func<ControllerContext, IController>> All { get; } =
        new Dictionary<string, Func<ControllerContext, IController>>
        {
            ["replicaset"] = c => new ReplicaSetController(c),
            ["replicationcontroller"] = c => new ReplicationManager(c),
            ["deployment"] = c => new DeploymentController(c),
            ["nodelifecycle"] = c => new NodeLifecycleController(c),
            ["taint-eviction-controller"] = c => new TaintEvictionController(c),
            ["disruption"] = c => new DisruptionController(c),
        };
}
