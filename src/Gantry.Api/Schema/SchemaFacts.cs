namespace Gantry.Api.Schema;

/// <summary>
/// The Kubernetes schema facts the KubernetesClient models do not carry: <c>x-kubernetes-*</c> list/map/patch
/// semantics, required fields, and which fields are MicroTime, FieldsV1 or RawExtension rather than plain values.
/// One table, as data (the Go struct tags and +list markers of Kubernetes 1.32), read by generic code.
/// </summary>
internal static class SchemaFacts
{
    // Row: (definition without "io.k8s.api." / "io.k8s.apimachinery.pkg.apis.", field or "" for the type, facts).
    // Facts: merge-key=K strategy=S list=map|set|atomic keys=A,B map=atomic required=A,B ref=MicroTime|FieldsV1|RawExtension
    //        int-or-string embedded preserve
    private const string Named = "merge-key=name strategy=merge list=map keys=name";
    private const string Conditions = "merge-key=type strategy=merge list=map keys=type";
    private const string Atomic = "list=atomic";

    private static readonly (string Definition, string Field, string Facts)[] Rows =
    [
        ("meta.v1.ObjectMeta", "finalizers", "strategy=merge list=set"),
        ("meta.v1.ObjectMeta", "ownerReferences", "merge-key=uid strategy=merge list=map keys=uid"),
        ("meta.v1.ObjectMeta", "managedFields", Atomic),
        ("meta.v1.OwnerReference", "", "required=apiVersion,kind,name,uid map=atomic"),
        ("meta.v1.LabelSelector", "", "map=atomic"),
        ("meta.v1.LabelSelector", "matchExpressions", Atomic),
        ("meta.v1.LabelSelectorRequirement", "", "required=key,operator"),
        ("meta.v1.LabelSelectorRequirement", "values", Atomic),
        ("meta.v1.ManagedFieldsEntry", "fieldsV1", "ref=FieldsV1"),
        ("meta.v1.Condition", "", "required=type,status,lastTransitionTime,reason,message"),
        ("meta.v1.StatusDetails", "causes", Atomic),
        ("meta.v1.DeleteOptions", "dryRun", Atomic),
        ("meta.v1.APIResource", "", "required=name,singularName,namespaced,kind,verbs"),
        ("meta.v1.WatchEvent", "object", "ref=RawExtension"),

        ("core.v1.PodSpec", "", "required=containers"),
        ("core.v1.PodSpec", "volumes", "merge-key=name strategy=merge,retainKeys list=map keys=name"),
        ("core.v1.PodSpec", "initContainers", Named),
        ("core.v1.PodSpec", "containers", Named),
        ("core.v1.PodSpec", "ephemeralContainers", Named),
        ("core.v1.PodSpec", "imagePullSecrets", Named),
        ("core.v1.PodSpec", "hostAliases", "merge-key=ip strategy=merge list=map keys=ip"),
        ("core.v1.PodSpec", "tolerations", Atomic),
        ("core.v1.PodSpec", "readinessGates", Atomic),
        ("core.v1.PodSpec", "topologySpreadConstraints", "merge-key=topologyKey strategy=merge list=map keys=topologyKey,whenUnsatisfiable"),
        ("core.v1.PodSpec", "resourceClaims", "merge-key=name strategy=merge,retainKeys list=map keys=name"),
        ("core.v1.PodSpec", "schedulingGates", Named),
        ("core.v1.PodSpec", "nodeSelector", "map=atomic"),
        ("core.v1.PodStatus", "conditions", Conditions),
        ("core.v1.PodStatus", "podIPs", "merge-key=ip strategy=merge list=map keys=ip"),
        ("core.v1.PodStatus", "hostIPs", "merge-key=ip strategy=merge list=map keys=ip"),
        ("core.v1.PodStatus", "initContainerStatuses", Atomic),
        ("core.v1.PodStatus", "containerStatuses", Atomic),
        ("core.v1.PodStatus", "ephemeralContainerStatuses", Atomic),
        ("core.v1.PodStatus", "resourceClaimStatuses", "merge-key=name strategy=merge,retainKeys list=map keys=name"),
        ("core.v1.PodCondition", "", "required=type,status"),
        ("core.v1.Container", "", "required=name"),
        ("core.v1.Container", "ports", "merge-key=containerPort strategy=merge list=map keys=containerPort,protocol"),
        ("core.v1.Container", "env", Named),
        ("core.v1.Container", "envFrom", Atomic),
        ("core.v1.Container", "volumeMounts", "merge-key=mountPath strategy=merge list=map keys=mountPath"),
        ("core.v1.Container", "volumeDevices", "merge-key=devicePath strategy=merge list=map keys=devicePath"),
        ("core.v1.Container", "command", Atomic),
        ("core.v1.Container", "args", Atomic),
        ("core.v1.Container", "resizePolicy", Atomic),
        ("core.v1.EphemeralContainer", "", "required=name"),
        ("core.v1.EphemeralContainer", "ports", "merge-key=containerPort strategy=merge list=map keys=containerPort,protocol"),
        ("core.v1.EphemeralContainer", "env", Named),
        ("core.v1.EphemeralContainer", "envFrom", Atomic),
        ("core.v1.EphemeralContainer", "volumeMounts", "merge-key=mountPath strategy=merge list=map keys=mountPath"),
        ("core.v1.EphemeralContainer", "volumeDevices", "merge-key=devicePath strategy=merge list=map keys=devicePath"),
        ("core.v1.EphemeralContainer", "command", Atomic),
        ("core.v1.EphemeralContainer", "args", Atomic),
        ("core.v1.ContainerStatus", "", "required=name,ready,restartCount,image,imageID"),
        ("core.v1.ContainerPort", "", "required=containerPort"),
        ("core.v1.EnvVar", "", "required=name"),
        ("core.v1.VolumeMount", "", "required=name,mountPath"),
        ("core.v1.VolumeDevice", "", "required=name,devicePath"),
        ("core.v1.Volume", "", "required=name"),
        ("core.v1.KeyToPath", "", "required=key,path"),
        ("core.v1.ConfigMapVolumeSource", "items", Atomic),
        ("core.v1.SecretVolumeSource", "items", Atomic),
        ("core.v1.ProjectedVolumeSource", "sources", Atomic),
        ("core.v1.DownwardAPIVolumeFile", "", "required=path"),
        ("core.v1.ConfigMapKeySelector", "", "required=key map=atomic"),
        ("core.v1.SecretKeySelector", "", "required=key map=atomic"),
        ("core.v1.ObjectFieldSelector", "", "required=fieldPath map=atomic"),
        ("core.v1.ResourceFieldSelector", "", "required=resource map=atomic"),
        ("core.v1.LocalObjectReference", "", "map=atomic"),
        ("core.v1.ObjectReference", "", "map=atomic"),
        ("core.v1.TypedLocalObjectReference", "", "required=kind,name map=atomic"),
        ("core.v1.ResourceRequirements", "claims", "list=map keys=name"),
        ("core.v1.ResourceClaim", "", "required=name"),
        ("core.v1.NodeSelector", "", "required=nodeSelectorTerms map=atomic"),
        ("core.v1.NodeSelector", "nodeSelectorTerms", Atomic),
        ("core.v1.NodeSelectorTerm", "", "map=atomic"),
        ("core.v1.NodeSelectorTerm", "matchExpressions", Atomic),
        ("core.v1.NodeSelectorTerm", "matchFields", Atomic),
        ("core.v1.NodeSelectorRequirement", "", "required=key,operator"),
        ("core.v1.NodeSelectorRequirement", "values", Atomic),
        ("core.v1.PodAffinityTerm", "", "required=topologyKey"),
        ("core.v1.WeightedPodAffinityTerm", "", "required=weight,podAffinityTerm"),
        ("core.v1.PreferredSchedulingTerm", "", "required=weight,preference"),
        ("core.v1.TopologySpreadConstraint", "", "required=maxSkew,topologyKey,whenUnsatisfiable"),
        ("core.v1.TopologySpreadConstraint", "matchLabelKeys", Atomic),
        ("core.v1.HostAlias", "", "required=ip"),
        ("core.v1.HostAlias", "hostnames", Atomic),
        ("core.v1.PodDNSConfig", "nameservers", Atomic),
        ("core.v1.PodDNSConfig", "searches", Atomic),
        ("core.v1.PodDNSConfig", "options", Atomic),
        ("core.v1.PodSecurityContext", "supplementalGroups", Atomic),
        ("core.v1.PodSecurityContext", "sysctls", Atomic),
        ("core.v1.Sysctl", "", "required=name,value"),
        ("core.v1.Capabilities", "add", Atomic),
        ("core.v1.Capabilities", "drop", Atomic),
        ("core.v1.ExecAction", "command", Atomic),
        ("core.v1.HTTPGetAction", "", "required=port"),
        ("core.v1.HTTPGetAction", "httpHeaders", Atomic),
        ("core.v1.HTTPHeader", "", "required=name,value"),
        ("core.v1.TCPSocketAction", "", "required=port"),
        ("core.v1.GRPCAction", "", "required=port"),
        ("core.v1.PodReadinessGate", "", "required=conditionType"),
        ("core.v1.ContainerResizePolicy", "", "required=resourceName,restartPolicy"),
        ("core.v1.ServiceSpec", "ports", "merge-key=port strategy=merge list=map keys=port,protocol"),
        ("core.v1.ServiceSpec", "selector", "map=atomic"),
        ("core.v1.ServiceSpec", "clusterIPs", Atomic),
        ("core.v1.ServiceSpec", "externalIPs", Atomic),
        ("core.v1.ServiceSpec", "loadBalancerSourceRanges", Atomic),
        ("core.v1.ServiceSpec", "ipFamilies", Atomic),
        ("core.v1.ServicePort", "", "required=port"),
        ("core.v1.ServiceStatus", "conditions", Conditions),
        ("core.v1.LoadBalancerStatus", "ingress", Atomic),
        ("core.v1.LoadBalancerIngress", "ports", Atomic),
        ("core.v1.NodeSpec", "podCIDRs", "strategy=merge list=set"),
        ("core.v1.NodeSpec", "taints", Atomic),
        ("core.v1.Taint", "", "required=key,effect"),
        ("core.v1.NodeStatus", "conditions", Conditions),
        ("core.v1.NodeStatus", "addresses", Conditions),
        ("core.v1.NodeStatus", "images", Atomic),
        ("core.v1.NodeStatus", "volumesInUse", Atomic),
        ("core.v1.NodeStatus", "volumesAttached", Atomic),
        ("core.v1.NodeAddress", "", "required=type,address"),
        ("core.v1.NodeCondition", "", "required=type,status"),
        ("core.v1.NamespaceSpec", "finalizers", Atomic),
        ("core.v1.NamespaceStatus", "conditions", Conditions),
        ("core.v1.NamespaceCondition", "", "required=type,status"),
        ("core.v1.PersistentVolumeClaimSpec", "accessModes", Atomic),
        ("core.v1.PersistentVolumeClaimStatus", "accessModes", Atomic),
        ("core.v1.PersistentVolumeClaimStatus", "conditions", Conditions),
        ("core.v1.PersistentVolumeClaimCondition", "", "required=type,status"),
        ("core.v1.PersistentVolumeSpec", "accessModes", Atomic),
        ("core.v1.PersistentVolumeSpec", "mountOptions", Atomic),
        ("core.v1.ReplicationControllerSpec", "selector", "map=atomic"),
        ("core.v1.ReplicationControllerStatus", "", "required=replicas"),
        ("core.v1.ReplicationControllerStatus", "conditions", Conditions),
        ("core.v1.ReplicationControllerCondition", "", "required=type,status"),
        ("core.v1.ResourceQuotaSpec", "scopes", Atomic),
        ("core.v1.ScopeSelector", "", "map=atomic"),
        ("core.v1.ScopeSelector", "matchExpressions", Atomic),
        ("core.v1.ScopedResourceSelectorRequirement", "", "required=scopeName,operator"),
        ("core.v1.ScopedResourceSelectorRequirement", "values", Atomic),
        ("core.v1.LimitRangeSpec", "", "required=limits"),
        ("core.v1.LimitRangeSpec", "limits", Atomic),
        ("core.v1.LimitRangeItem", "", "required=type"),
        ("core.v1.ServiceAccount", "secrets", Named),
        ("core.v1.ServiceAccount", "imagePullSecrets", Atomic),
        ("core.v1.Endpoints", "subsets", Atomic),
        ("core.v1.EndpointSubset", "addresses", Atomic),
        ("core.v1.EndpointSubset", "notReadyAddresses", Atomic),
        ("core.v1.EndpointSubset", "ports", Atomic),
        ("core.v1.EndpointAddress", "", "required=ip map=atomic"),
        ("core.v1.EndpointPort", "", "required=port map=atomic"),
        ("core.v1.Event", "", "required=metadata,involvedObject"),
        ("core.v1.Event", "eventTime", "ref=MicroTime"),
        ("core.v1.EventSeries", "lastObservedTime", "ref=MicroTime"),
        ("core.v1.Binding", "", "required=target"),

        ("apps.v1.ControllerRevision", "", "required=revision"),
        ("apps.v1.ControllerRevision", "data", "ref=RawExtension"),
        ("apps.v1.DeploymentSpec", "", "required=selector,template"),
        ("apps.v1.DeploymentStatus", "conditions", Conditions),
        ("apps.v1.DeploymentCondition", "", "required=type,status"),
        ("apps.v1.ReplicaSetSpec", "", "required=selector"),
        ("apps.v1.ReplicaSetStatus", "", "required=replicas"),
        ("apps.v1.ReplicaSetStatus", "conditions", Conditions),
        ("apps.v1.ReplicaSetCondition", "", "required=type,status"),
        ("apps.v1.StatefulSetSpec", "", "required=selector,template"),
        ("apps.v1.StatefulSetSpec", "volumeClaimTemplates", Atomic),
        ("apps.v1.StatefulSetStatus", "conditions", Conditions),
        ("apps.v1.StatefulSetCondition", "", "required=type,status"),
        ("apps.v1.DaemonSetSpec", "", "required=selector,template"),
        ("apps.v1.DaemonSetStatus", "", "required=currentNumberScheduled,numberMisscheduled,desiredNumberScheduled,numberReady"),
        ("apps.v1.DaemonSetStatus", "conditions", Conditions),
        ("apps.v1.DaemonSetCondition", "", "required=type,status"),

        ("batch.v1.JobSpec", "", "required=template"),
        ("batch.v1.JobStatus", "conditions", "merge-key=type strategy=merge list=atomic"),
        ("batch.v1.JobCondition", "", "required=type,status"),
        ("batch.v1.CronJobSpec", "", "required=schedule,jobTemplate"),
        ("batch.v1.CronJobStatus", "active", Atomic),

        ("coordination.v1.LeaseSpec", "acquireTime", "ref=MicroTime"),
        ("coordination.v1.LeaseSpec", "renewTime", "ref=MicroTime"),
        ("events.v1.Event", "", "required=eventTime"),
        ("events.v1.Event", "eventTime", "ref=MicroTime"),
        ("events.v1.EventSeries", "", "required=count,lastObservedTime"),
        ("events.v1.EventSeries", "lastObservedTime", "ref=MicroTime"),
        ("discovery.v1.EndpointSlice", "", "required=addressType,endpoints"),
        ("discovery.v1.EndpointSlice", "endpoints", Atomic),
        ("discovery.v1.EndpointSlice", "ports", Atomic),
        ("discovery.v1.Endpoint", "", "required=addresses"),
        ("discovery.v1.Endpoint", "addresses", "list=set"),
        ("discovery.v1.EndpointPort", "", "map=atomic"),
        ("policy.v1.PodDisruptionBudgetStatus", "", "required=disruptionsAllowed,currentHealthy,desiredHealthy,expectedPods"),
        ("policy.v1.PodDisruptionBudgetStatus", "conditions", Conditions),
        ("rbac.v1.ClusterRole", "rules", Atomic),
        ("rbac.v1.Role", "rules", Atomic),
        ("rbac.v1.PolicyRule", "", "required=verbs"),
        ("rbac.v1.PolicyRule", "verbs", Atomic),
        ("rbac.v1.PolicyRule", "apiGroups", Atomic),
        ("rbac.v1.PolicyRule", "resources", Atomic),
        ("rbac.v1.PolicyRule", "resourceNames", Atomic),
        ("rbac.v1.PolicyRule", "nonResourceURLs", Atomic),
        ("rbac.v1.AggregationRule", "clusterRoleSelectors", Atomic),
        ("rbac.v1.RoleBinding", "", "required=roleRef"),
        ("rbac.v1.RoleBinding", "subjects", Atomic),
        ("rbac.v1.ClusterRoleBinding", "", "required=roleRef"),
        ("rbac.v1.ClusterRoleBinding", "subjects", Atomic),
        ("rbac.v1.RoleRef", "", "required=apiGroup,kind,name map=atomic"),
        ("rbac.v1.Subject", "", "required=kind,name map=atomic"),
        ("scheduling.v1.PriorityClass", "", "required=value"),
        ("storage.v1.StorageClass", "", "required=provisioner"),
        ("storage.v1.StorageClass", "mountOptions", Atomic),
        ("storage.v1.StorageClass", "allowedTopologies", Atomic),
        ("authorization.v1.SelfSubjectAccessReview", "", "required=spec"),
    ];

    private static readonly Dictionary<(string, string), Facts> Table = Rows.ToDictionary(
        r => (r.Definition, r.Field), r => Facts.Parse(r.Facts));

    /// <summary>The facts of a field (or, with an empty field, of the type itself), or null when there are none.</summary>
    public static Facts? For(string definitionName, string field) =>
        Table.GetValueOrDefault((ShortName(definitionName), field));

    // The rows by (version, type name, field), with the last segment of each row's package.
    private static readonly ILookup<(string, string, string), (string Package, Facts Facts)> ByName = Table.ToLookup(
        r => (Segment(r.Key.Item1, 1), Segment(r.Key.Item1, 0), r.Key.Item2), r => (Segment(r.Key.Item1, 2), r.Value));

    /// <summary>
    /// The facts of a field of a model type, found without its definition name (which takes a walk over every model type
    /// of the package): by the type's version and name, and by its package only when the name carries one — a name
    /// without one is unique among Kubernetes' definitions of its version.
    /// </summary>
    public static Facts? For(Type modelType, string field)
    {
        var rows = ByName[(ModelCatalog.GoPackage(modelType), ModelCatalog.GoName(modelType), field)].ToList();
        return ModelCatalog.NamedPackage(modelType) is { } package
            ? rows.Where(r => r.Package == package).Select(r => r.Facts).FirstOrDefault()
            : rows.Count == 1 ? rows[0].Facts : null;
    }

    // The dot-separated segment of a definition name counted from its end (0: the type name).
    private static string Segment(string definition, int fromEnd) => definition.Split('.')[^(fromEnd + 1)];

    private static string ShortName(string definitionName) =>
        definitionName.StartsWith("io.k8s.api.", StringComparison.Ordinal) ? definitionName["io.k8s.api.".Length..]
        : definitionName.StartsWith("io.k8s.apimachinery.pkg.apis.", StringComparison.Ordinal)
            ? definitionName["io.k8s.apimachinery.pkg.apis.".Length..]
            : definitionName;

    /// <summary>One row of facts, parsed.</summary>
    internal sealed record Facts
    {
        public string? PatchMergeKey { get; private init; }
        public string? PatchStrategy { get; private init; }
        public string? ListType { get; private init; }
        public IReadOnlyList<string>? ListMapKeys { get; private init; }
        public string? MapType { get; private init; }
        public IReadOnlyList<string> Required { get; private init; } = [];
        /// <summary>Short definition name (MicroTime, FieldsV1, RawExtension) replacing the field's own type.</summary>
        public string? Ref { get; private init; }
        public bool IntOrString { get; private init; }
        public bool EmbeddedResource { get; private init; }
        public bool PreserveUnknownFields { get; private init; }

        public static Facts Parse(string text)
        {
            var facts = new Facts();
            foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = token.IndexOf('=');
                var (key, value) = eq < 0 ? (token, "") : (token[..eq], token[(eq + 1)..]);
                facts = key switch
                {
                    "merge-key" => facts with { PatchMergeKey = value },
                    "strategy" => facts with { PatchStrategy = value },
                    "list" => facts with { ListType = value },
                    "keys" => facts with { ListMapKeys = value.Split(',') },
                    "map" => facts with { MapType = value },
                    "required" => facts with { Required = value.Split(',') },
                    "ref" => facts with { Ref = value },
                    "int-or-string" => facts with { IntOrString = true },
                    "embedded" => facts with { EmbeddedResource = true },
                    "preserve" => facts with { PreserveUnknownFields = true },
                    _ => throw new InvalidOperationException($"unknown schema fact '{token}'"),
                };
            }
            return facts;
        }
    }
}
