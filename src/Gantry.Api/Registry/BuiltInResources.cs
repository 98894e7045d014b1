namespace Gantry.Api.Registry;

/// <summary>The table of built-in resources Gantry serves, as Kubernetes 1.32 does (names, scope, short names, subresources).</summary>
public static class BuiltInResources
{
    private static readonly string[] All_ = ["all"];
    private static readonly string[] NoCollectionDelete = ["create", "delete", "get", "list", "patch", "update", "watch"];
    private static readonly string[] CreateVerb = ["create"];

    private static ResourceDefinition R(string gv, string kind, string plural, bool namespaced, string[]? shortNames = null,
        string[]? subresources = null, string[]? categories = null, string[]? verbs = null, string? storage = null, bool createOnly = false)
    {
        var slash = gv.IndexOf('/');
        return new ResourceDefinition
        {
            Group = slash < 0 ? "" : gv[..slash],
            Version = slash < 0 ? gv : gv[(slash + 1)..],
            Kind = kind,
            Plural = plural,
            Namespaced = namespaced,
            ShortNames = shortNames ?? [],
            Subresources = subresources ?? [],
            Categories = categories ?? [],
            Verbs = verbs ?? ResourceDefinition.StandardVerbs,
            StorageResource = storage,
            CreateOnly = createOnly,
        };
    }

    /// <summary>Every built-in resource, in discovery order.</summary>
    public static IReadOnlyList<ResourceDefinition> All { get; } =
    [
        R("v1", "Binding", "bindings", true, verbs: CreateVerb, createOnly: true),
        R("v1", "ConfigMap", "configmaps", true, ["cm"]),
        R("v1", "Endpoints", "endpoints", true, ["ep"]),
        R("v1", "Event", "events", true, ["ev"]),
        R("v1", "LimitRange", "limitranges", true, ["limits"]),
        R("v1", "Namespace", "namespaces", false, ["ns"], ["finalize", "status"], verbs: NoCollectionDelete),
        R("v1", "Node", "nodes", false, ["no"], ["proxy", "status"]),
        R("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, ["pvc"], ["status"]),
        R("v1", "PersistentVolume", "persistentvolumes", false, ["pv"], ["status"]),
        R("v1", "Pod", "pods", true, ["po"], ["attach", "binding", "eviction", "exec", "log", "portforward", "proxy", "status"], All_),
        R("v1", "ReplicationController", "replicationcontrollers", true, ["rc"], ["scale", "status"], All_),
        R("v1", "ResourceQuota", "resourcequotas", true, ["quota"], ["status"]),
        R("v1", "Secret", "secrets", true),
        R("v1", "ServiceAccount", "serviceaccounts", true, ["sa"], ["token"]),
        R("v1", "Service", "services", true, ["svc"], ["proxy", "status"], All_),
        R("apps/v1", "ControllerRevision", "controllerrevisions", true),
        R("apps/v1", "DaemonSet", "daemonsets", true, ["ds"], ["status"], All_),
        R("apps/v1", "Deployment", "deployments", true, ["deploy"], ["scale", "status"], All_),
        R("apps/v1", "ReplicaSet", "replicasets", true, ["rs"], ["scale", "status"], All_),
        R("apps/v1", "StatefulSet", "statefulsets", true, ["sts"], ["scale", "status"], All_),
        R("authentication.k8s.io/v1", "SelfSubjectReview", "selfsubjectreviews", false, verbs: CreateVerb, createOnly: true),
        R("authorization.k8s.io/v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, verbs: CreateVerb, createOnly: true),
        R("authorization.k8s.io/v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false, verbs: CreateVerb, createOnly: true),
        R("authorization.k8s.io/v1", "SubjectAccessReview", "subjectaccessreviews", false, verbs: CreateVerb, createOnly: true),
        R("batch/v1", "CronJob", "cronjobs", true, ["cj"], ["status"], All_),
        R("batch/v1", "Job", "jobs", true, subresources: ["status"], categories: All_),
        R("coordination.k8s.io/v1", "Lease", "leases", true),
        R("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true),
        R("events.k8s.io/v1", "Event", "events", true, ["ev"], storage: "events"),
        R("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ["pdb"], ["status"]),
        R("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
        R("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
        R("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
        R("rbac.authorization.k8s.io/v1", "Role", "roles", true),
        R("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", false, ["pc"]),
        R("storage.k8s.io/v1", "StorageClass", "storageclasses", false, ["sc"]),
    ];
}
