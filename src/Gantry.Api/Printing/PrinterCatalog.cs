using Gantry.Api.Registry;

namespace Gantry.Api.Printing;

/// <summary>
/// Maps each resource to its table printer, keyed by group and kind as Kubernetes registers them. Built-in kinds
/// without their own columns get NAME and CREATED AT; other (custom) kinds get NAME and AGE.
/// </summary>
public static class PrinterCatalog
{
    private static readonly IResourcePrinter CustomDefault = new NameAgePrinter();
    private static readonly IResourcePrinter BuiltInDefault = new CreatedAtPrinter();

    private static readonly Dictionary<(string Group, string Kind), IResourcePrinter> Printers = new()
    {
        [("", "Pod")] = PodPrinter.Create(),
        [("", "Node")] = NodePrinter.Create(),
        [("", "Namespace")] = CorePrinters.Namespace(),
        [("", "Service")] = NetworkPrinters.Service(),
        [("", "Endpoints")] = NetworkPrinters.Endpoints(),
        [("", "ConfigMap")] = CorePrinters.ConfigMap(),
        [("", "Secret")] = CorePrinters.Secret(),
        [("", "ServiceAccount")] = CorePrinters.ServiceAccount(),
        [("", "Event")] = EventPrinter.Create(),
        [("", "ReplicationController")] = WorkloadPrinters.ReplicationController(),
        [("", "PersistentVolume")] = StoragePrinters.PersistentVolume(),
        [("", "PersistentVolumeClaim")] = StoragePrinters.PersistentVolumeClaim(),
        [("", "ResourceQuota")] = CorePrinters.ResourceQuota(),
        [("apps", "ReplicaSet")] = WorkloadPrinters.ReplicaSet(),
        [("apps", "Deployment")] = WorkloadPrinters.Deployment(),
        [("apps", "StatefulSet")] = WorkloadPrinters.StatefulSet(),
        [("apps", "DaemonSet")] = WorkloadPrinters.DaemonSet(),
        [("apps", "ControllerRevision")] = WorkloadPrinters.ControllerRevision(),
        [("batch", "Job")] = BatchPrinters.Job(),
        [("batch", "CronJob")] = BatchPrinters.CronJob(),
        [("coordination.k8s.io", "Lease")] = CorePrinters.Lease(),
        [("discovery.k8s.io", "EndpointSlice")] = NetworkPrinters.EndpointSlice(),
        [("events.k8s.io", "Event")] = EventPrinter.Create(),
        [("policy", "PodDisruptionBudget")] = CorePrinters.PodDisruptionBudget(),
        [("rbac.authorization.k8s.io", "RoleBinding")] = RbacPrinters.RoleBinding(),
        [("rbac.authorization.k8s.io", "ClusterRoleBinding")] = RbacPrinters.ClusterRoleBinding(),
        [("scheduling.k8s.io", "PriorityClass")] = CorePrinters.PriorityClass(),
        [("storage.k8s.io", "StorageClass")] = StoragePrinters.StorageClass(),
    };

    private static readonly HashSet<(string Group, string Kind)> BuiltIn = BuiltInResources.All.Select(r => (r.Group, r.Kind)).ToHashSet();

    /// <summary>The printer of a resource.</summary>
    public static IResourcePrinter For(ResourceDefinition definition) =>
        Printers.GetValueOrDefault((definition.Group, definition.Kind))
        ?? (BuiltIn.Contains((definition.Group, definition.Kind)) ? BuiltInDefault : CustomDefault);
}
