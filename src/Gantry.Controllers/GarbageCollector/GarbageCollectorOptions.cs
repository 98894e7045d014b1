namespace Gantry.Controllers.GarbageCollector;

/// <summary>Settings of the garbage collector, with Kubernetes' defaults.</summary>
public sealed record GarbageCollectorOptions
{
    /// <summary>
    /// The resources whose ownerReferences are followed (as plural.group ids). Kubernetes watches every deletable
    /// resource but events; these are the ones that have owners in practice, plus namespaces so that a namespace deleted
    /// with the orphan or foreground policy gets its finalizer removed.
    /// </summary>
    public IReadOnlyList<string> Resources { get; init; } =
    [
        "namespaces", "pods", "replicationcontrollers", "configmaps", "secrets", "services", "persistentvolumeclaims", "serviceaccounts",
        "replicasets.apps", "deployments.apps", "statefulsets.apps", "daemonsets.apps", "controllerrevisions.apps",
        "jobs.batch", "cronjobs.batch", "endpointslices.discovery.k8s.io",
    ];

    /// <summary>Workers deleting and orphaning (kube-controller-manager's --concurrent-gc-syncs: 20).</summary>
    public int Workers { get; init; } = 20;
}
