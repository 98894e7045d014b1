using System.Collections.Concurrent;
using Gantry.Api.Registry;

namespace Gantry.Api.Strategies;

/// <summary>Maps each resource to its strategy: the kind's own where Kubernetes has rules for it, generic otherwise.</summary>
public static class StrategyCatalog
{
    // One row per kind with rules of its own; keyed by API group and kind.
    private static readonly Dictionary<(string Group, string Kind), Func<ResourceDefinition, IResourceStrategy>> Kinds = new()
    {
        [("", "Binding")] = d => new BindingStrategy(d),
        [("", "ConfigMap")] = d => new ConfigMapStrategy(d),
        [("", "Endpoints")] = d => new EndpointsStrategy(d),
        [("", "Event")] = d => new EventStrategy(d),
        [("", "LimitRange")] = d => new LimitRangeStrategy(d),
        [("", "Namespace")] = d => new NamespaceStrategy(d),
        [("", "Node")] = d => new NodeStrategy(d),
        [("", "PersistentVolumeClaim")] = d => new PersistentVolumeClaimStrategy(d),
        [("", "PersistentVolume")] = d => new PersistentVolumeStrategy(d),
        [("", "Pod")] = d => new PodStrategy(d),
        [("", "ReplicationController")] = d => new ReplicationControllerStrategy(d),
        [("", "ResourceQuota")] = d => new ResourceQuotaStrategy(d),
        [("", "Secret")] = d => new SecretStrategy(d),
        [("", "ServiceAccount")] = d => new GenericStrategy(d, tracksGeneration: false),
        [("", "Service")] = d => new ServiceStrategy(d),
        [("apps", "ControllerRevision")] = d => new ControllerRevisionStrategy(d),
        [("apps", "DaemonSet")] = d => new DaemonSetStrategy(d),
        [("apps", "Deployment")] = d => new DeploymentStrategy(d),
        [("apps", "ReplicaSet")] = d => new ReplicaSetStrategy(d),
        [("apps", "StatefulSet")] = d => new StatefulSetStrategy(d),
        [("authorization.k8s.io", "SelfSubjectAccessReview")] = d => new SelfSubjectAccessReviewStrategy(d),
        [("batch", "CronJob")] = d => new CronJobStrategy(d),
        [("batch", "Job")] = d => new JobStrategy(d),
        [("coordination.k8s.io", "Lease")] = d => new LeaseStrategy(d),
        [("discovery.k8s.io", "EndpointSlice")] = d => new EndpointSliceStrategy(d),
        [("events.k8s.io", "Event")] = d => new EventsV1Strategy(d),
        [("policy", "PodDisruptionBudget")] = d => new PodDisruptionBudgetStrategy(d),
        [("rbac.authorization.k8s.io", "ClusterRoleBinding")] = d => new RoleBindingStrategy(d),
        [("rbac.authorization.k8s.io", "ClusterRole")] = d => new RoleStrategy(d),
        [("rbac.authorization.k8s.io", "RoleBinding")] = d => new RoleBindingStrategy(d),
        [("rbac.authorization.k8s.io", "Role")] = d => new RoleStrategy(d),
        [("scheduling.k8s.io", "PriorityClass")] = d => new PriorityClassStrategy(d),
        [("storage.k8s.io", "StorageClass")] = d => new StorageClassStrategy(d),
    };

    private static readonly ConcurrentDictionary<ResourceDefinition, IResourceStrategy> Cache = new(ReferenceEqualityComparer.Instance);

    /// <summary>The strategy of a resource; resources without rules of their own (custom resources) get the generic one.</summary>
    public static IResourceStrategy For(ResourceDefinition definition) =>
        Cache.GetOrAdd(definition, d => Kinds.TryGetValue((d.Group, d.Kind), out var create) ? create(d) : new GenericStrategy(d));
}
