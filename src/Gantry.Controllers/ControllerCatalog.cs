using Gantry.Controllers.CronJob;
using Gantry.Controllers.DaemonSet;
using Gantry.Controllers.Deployment;
using Gantry.Controllers.Disruption;
using Gantry.Controllers.Endpoints;
using Gantry.Controllers.EndpointSlice;
using Gantry.Controllers.GarbageCollector;
using Gantry.Controllers.Job;
using Gantry.Controllers.Namespace;
using Gantry.Controllers.PersistentVolume;
using Gantry.Controllers.PodGC;
using Gantry.Controllers.ServiceAccount;
using Gantry.Controllers.StatefulSet;
using Gantry.Controllers.NodeIpam;
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
            ["statefulset"] = c => new StatefulSetController(c),
            ["daemonset"] = c => new DaemonSetController(c),
            ["job"] = c => new JobController(c),
            ["ttl-after-finished"] = c => new TtlAfterFinishedController(c),
            ["cronjob"] = c => new CronJobController(c),
            ["nodeipam"] = c => new NodeIpamController(c, new NodeIpamOptions { ClusterCidr = c.Options.ClusterCidr }),
            ["nodelifecycle"] = c => new NodeLifecycleController(c),
            ["taint-eviction-controller"] = c => new TaintEvictionController(c),
            ["disruption"] = c => new DisruptionController(c),
            ["endpoint"] = c => new EndpointsController(c),
            ["endpointslice"] = c => new EndpointSliceController(c),
            ["endpointslicemirroring"] = c => new EndpointSliceMirroring.EndpointSliceMirroringController(c),
            ["servicelb"] = c => new ServiceLB.ServiceLbController(c),
            ["garbagecollector"] = c => new GarbageCollectorController(c),
            ["namespace"] = c => new NamespaceController(c),
            ["serviceaccount"] = c => new ServiceAccountController(c),
            ["tokencleaner"] = c => new BootstrapToken.TokenCleaner(c),
            ["podgc"] = c => new PodGcController(c),
            ["persistentvolume-binder"] = c => new PersistentVolumeController(c),
            ["root-ca-cert-publisher"] = c => new RootCaPublisher(c, new RootCaPublisherOptions(
                c.Options.RootCaPem ?? throw new InvalidOperationException("the root CA publisher needs ControllerOptions.RootCaPem"))),
        };
}
