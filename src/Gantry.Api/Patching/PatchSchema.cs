using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>
/// The one table of Kubernetes patch metadata: which Go type each kind's root is, and for each Go type the fields
/// whose patch behaviour is not the default (maps merge, lists replace). Read from the <c>patchMergeKey</c>,
/// <c>patchStrategy</c>, <c>listType</c>, <c>listMapKey</c> and <c>structType</c> markers in k8s.io/api types.go.
/// Types are shared, so the PodSpec rows serve Pod, PodTemplate and every workload's pod template. Kinds and fields
/// not in the table (custom resources included) get the defaults.
/// </summary>
internal static class PatchSchema
{
    /// <summary>The root type of objects whose kind is not in the table: only their metadata is known.</summary>
    private const string UnknownRoot = "Object";

    private static readonly Dictionary<(string Group, string Kind), string> Roots = new()
    {
        [("", "Pod")] = "Pod",
        [("", "PodTemplate")] = "PodTemplate",
        [("", "ReplicationController")] = "ReplicationController",
        [("", "Service")] = "Service",
        [("", "Node")] = "Node",
        [("", "Namespace")] = "StatusOnly",
        [("", "PersistentVolumeClaim")] = "StatusOnly",
        [("apps", "Deployment")] = "Workload",
        [("apps", "ReplicaSet")] = "Workload",
        [("apps", "StatefulSet")] = "Workload",
        [("apps", "DaemonSet")] = "Workload",
        [("batch", "Job")] = "Job",
        [("batch", "CronJob")] = "CronJob",
        [("policy", "PodDisruptionBudget")] = "PodDisruptionBudget",
        [("autoscaling", "HorizontalPodAutoscaler")] = "StatusOnly",
        [("", "ServiceAccount")] = "ServiceAccount",
        [("apiextensions.k8s.io", "CustomResourceDefinition")] = "CustomResourceDefinition",
    };

    private static readonly PatchField Conditions = new(MergeKey: "type");

    private static readonly PatchField Metadata = new("ObjectMeta");

    private static readonly Dictionary<string, Dictionary<string, PatchField>> Types = new()
    {
        // Roots (every root also gets metadata: ObjectMeta, see Field).
        ["Pod"] = new() { ["spec"] = new("PodSpec"), ["status"] = new("PodStatus") },
        ["PodTemplate"] = new() { ["template"] = new("PodTemplateSpec") },
        ["ReplicationController"] = new() { ["spec"] = new("ReplicationControllerSpec"), ["status"] = new("ConditionsStatus") },
        ["Service"] = new() { ["spec"] = new("ServiceSpec"), ["status"] = new("ConditionsStatus") },
        ["Node"] = new() { ["spec"] = new("NodeSpec"), ["status"] = new("NodeStatus") },
        ["StatusOnly"] = new() { ["status"] = new("ConditionsStatus") },
        ["Workload"] = new() { ["spec"] = new("WorkloadSpec"), ["status"] = new("ConditionsStatus") },
        ["Job"] = new() { ["spec"] = new("WorkloadSpec"), ["status"] = new("JobStatus") },
        ["CronJob"] = new() { ["spec"] = new("CronJobSpec") },
        ["PodDisruptionBudget"] = new() { ["spec"] = new("SelectorSpec"), ["status"] = new("ConditionsStatus") },
        ["ServiceAccount"] = new() { ["secrets"] = new(MergeKey: "name") },
        // CRD conditions are listType=map without a patch strategy: merged by apply, replaced by strategic merge.
        ["CustomResourceDefinition"] = new() { ["status"] = new("CustomResourceDefinitionStatus") },
        ["CustomResourceDefinitionStatus"] = new() { ["conditions"] = new(ApplyKeys: ["type"]) },

        ["ObjectMeta"] = new()
        {
            ["finalizers"] = new(MergeSet: true),
            ["ownerReferences"] = new(MergeKey: "uid"),
        },

        // Deployment, ReplicaSet, StatefulSet, DaemonSet and Job specs share these two fields.
        ["WorkloadSpec"] = new() { ["selector"] = new(AtomicStruct: true), ["template"] = new("PodTemplateSpec") },
        ["SelectorSpec"] = new() { ["selector"] = new(AtomicStruct: true) },
        ["CronJobSpec"] = new() { ["jobTemplate"] = new("JobTemplateSpec") },
        ["JobTemplateSpec"] = new() { ["metadata"] = new("ObjectMeta"), ["spec"] = new("WorkloadSpec") },
        ["ReplicationControllerSpec"] = new() { ["template"] = new("PodTemplateSpec") },
        ["PodTemplateSpec"] = new() { ["metadata"] = new("ObjectMeta"), ["spec"] = new("PodSpec") },

        ["PodSpec"] = new()
        {
            ["volumes"] = new(MergeKey: "name"),
            ["initContainers"] = new("Container", MergeKey: "name"),
            ["containers"] = new("Container", MergeKey: "name"),
            ["ephemeralContainers"] = new("Container", MergeKey: "name"),
            ["imagePullSecrets"] = new(MergeKey: "name", AtomicStruct: true),
            ["hostAliases"] = new(MergeKey: "ip"),
            ["topologySpreadConstraints"] = new("TopologySpreadConstraint", MergeKey: "topologyKey", ApplyKeys: ["topologyKey", "whenUnsatisfiable"]),
            ["schedulingGates"] = new(MergeKey: "name"),
            ["resourceClaims"] = new(MergeKey: "name"),
        },
        ["TopologySpreadConstraint"] = new() { ["labelSelector"] = new(AtomicStruct: true) },
        ["Container"] = new()
        {
            ["ports"] = new(MergeKey: "containerPort", ApplyKeys: ["containerPort", "protocol"]),
            ["env"] = new("EnvVar", MergeKey: "name"),
            ["volumeMounts"] = new(MergeKey: "mountPath"),
            ["volumeDevices"] = new(MergeKey: "devicePath"),
            ["resources"] = new("ResourceRequirements"),
        },
        ["ResourceRequirements"] = new() { ["claims"] = new(ApplyKeys: ["name"]) },
        ["EnvVar"] = new() { ["valueFrom"] = new("EnvVarSource") },
        ["EnvVarSource"] = new()
        {
            ["configMapKeyRef"] = new(AtomicStruct: true),
            ["secretKeyRef"] = new(AtomicStruct: true),
            ["fieldRef"] = new(AtomicStruct: true),
            ["resourceFieldRef"] = new(AtomicStruct: true),
        },
        ["PodStatus"] = new()
        {
            ["conditions"] = Conditions,
            ["podIPs"] = new(MergeKey: "ip"),
            ["hostIPs"] = new(MergeKey: "ip", ApplyAtomic: true),
            ["resourceClaimStatuses"] = new(MergeKey: "name"),
        },
        ["ServiceSpec"] = new() { ["ports"] = new(MergeKey: "port", ApplyKeys: ["port", "protocol"]) },
        ["NodeSpec"] = new() { ["podCIDRs"] = new(MergeSet: true) },
        ["NodeStatus"] = new() { ["conditions"] = Conditions, ["addresses"] = new(MergeKey: "type") },
        ["ConditionsStatus"] = new() { ["conditions"] = Conditions },
        ["JobStatus"] = new() { ["conditions"] = new(MergeKey: "type", ApplyAtomic: true) },
    };

    /// <summary>
    /// Defaults of list-map key fields: an item that omits one is identified by the default (a container port
    /// without protocol is <c>k:{"containerPort":80,"protocol":"TCP"}</c>).
    /// </summary>
    private static readonly Dictionary<string, string> KeyDefaults = new() { ["protocol"] = "TCP" };

    /// <summary>The default of a list-map key field, or null when it has none.</summary>
    public static JsonNode? KeyDefault(string keyField) => KeyDefaults.TryGetValue(keyField, out var value) ? JsonValue.Create(value) : null;

    /// <summary>The root type of an object of the given apiVersion and kind.</summary>
    public static string RootType(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        return Roots.TryGetValue((group, kind), out var root) ? root : UnknownRoot;
    }

    /// <summary>The metadata of <paramref name="field"/> in <paramref name="type"/>, or null when it has the defaults.</summary>
    public static PatchField? Field(string? type, string field)
    {
        if (type is null) return null;
        if (field == "metadata" && (type == UnknownRoot || Roots.ContainsValue(type))) return Metadata;
        return Types.TryGetValue(type, out var fields) && fields.TryGetValue(field, out var info) ? info : null;
    }
}
