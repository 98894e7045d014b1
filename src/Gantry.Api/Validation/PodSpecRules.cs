using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Validation;

/// <summary>PodSpec and pod template validation (ValidatePodSpec, ValidatePodTemplateSpec), at any field path.</summary>
public static class PodSpecRules
{
    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] DnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
    private static readonly string[] VolumeSources =
    [
        "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
        "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap",
        "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi",
        "ephemeral", "image",
    ];

    /// <summary>Validates a pod spec whose path is <paramref name="path"/> (e.g. <c>spec</c> or <c>spec.template.spec</c>).</summary>
    public static void Validate(JsonObject? spec, string path, List<FieldError> errors)
    {
        spec ??= [];
        var volumes = ValidateVolumes(JsonRead.Arr(spec, "volumes"), path + ".volumes", errors);
        var names = ContainerRules.ValidateContainers(JsonRead.Arr(spec, "containers"), volumes, path + ".containers", errors);
        ContainerRules.ValidateInitContainers(JsonRead.Arr(spec, "initContainers"), names, volumes, path + ".initContainers", errors);
        ContainerRules.Enum(JsonRead.Str(spec, "restartPolicy"), RestartPolicies, path + ".restartPolicy", errors);
        ContainerRules.Enum(JsonRead.Str(spec, "dnsPolicy"), DnsPolicies, path + ".dnsPolicy", errors);
        MetadataRules.ValidateLabels(JsonRead.Obj(spec, "nodeSelector"), path + ".nodeSelector", errors);
        foreach (var field in new[] { "serviceAccountName", "nodeName", "priorityClassName" })
            if (JsonRead.Str(spec, field) is { Length: > 0 } value)
                foreach (var message in NameFormats.Dns1123Subdomain(value)) errors.Add(FieldError.Invalid($"{path}.{field}", value, message));
        if (JsonRead.Long(spec, "activeDeadlineSeconds") is { } deadline && deadline is < 1 or > int.MaxValue)
            errors.Add(FieldError.Invalid(path + ".activeDeadlineSeconds", deadline, NameFormats.InclusiveRange(1, int.MaxValue)));
        foreach (var field in new[] { "hostname", "subdomain" })
            if (JsonRead.Str(spec, field) is { Length: > 0 } value)
                foreach (var message in NameFormats.Dns1123Label(value)) errors.Add(FieldError.Invalid($"{path}.{field}", value, message));
        ValidateTolerations(JsonRead.Arr(spec, "tolerations"), path + ".tolerations", errors);
    }

    /// <summary>
    /// Validates a pod template (ValidatePodTemplateSpecForReplicaSet and its RC, DaemonSet, StatefulSet and Job cousins):
    /// its labels must match the selector, its metadata and spec must be valid.
    /// </summary>
    /// <param name="template">The template, or null when absent (Required).</param>
    /// <param name="selectorMatches">Whether the template labels satisfy the owner's selector; null when the selector is empty.</param>
    /// <param name="path">The template path, e.g. <c>spec.template</c>.</param>
    /// <param name="errors">Where errors are added.</param>
    public static void ValidateTemplate(JsonObject? template, Func<JsonObject?, bool>? selectorMatches, string path, List<FieldError> errors)
    {
        if (template is null)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        var labels = JsonRead.Obj(JsonRead.Obj(template, "metadata"), "labels");
        if (selectorMatches is not null && !selectorMatches(labels))
            errors.Add(FieldError.InvalidRaw(path + ".metadata.labels", GoValue.StringMap(labels), "`selector` does not match template `labels`"));
        ValidateTemplateMetadata(template, path, errors);
        Validate(JsonRead.Obj(template, "spec"), path + ".spec", errors);
    }

    /// <summary>
    /// Template labels and annotations; Kubernetes reports them at <c>template.labels</c> and <c>template.annotations</c>
    /// (without "metadata").
    /// </summary>
    public static void ValidateTemplateMetadata(JsonObject template, string path, List<FieldError> errors)
    {
        var meta = JsonRead.Obj(template, "metadata");
        MetadataRules.ValidateLabels(JsonRead.Obj(meta, "labels"), path + ".labels", errors);
        MetadataRules.ValidateAnnotations(JsonRead.Obj(meta, "annotations"), path + ".annotations", errors);
    }

    /// <summary>Requires restartPolicy Always and no activeDeadlineSeconds (templates of long-running workloads).</summary>
    public static void RequireAlwaysRestart(JsonObject? template, string path, string ownerKind, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(template, "spec");
        var policy = JsonRead.Str(spec, "restartPolicy") ?? "";
        if (policy != "Always") errors.Add(FieldError.NotSupported(path + ".spec.restartPolicy", policy, ["Always"]));
        if (spec?["activeDeadlineSeconds"] is not null)
            errors.Add(FieldError.Forbidden(path + ".spec.activeDeadlineSeconds", $"activeDeadlineSeconds in {ownerKind} is not Supported"));
    }

    private static HashSet<string> ValidateVolumes(JsonArray? volumes, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, volume) in JsonRead.Items(volumes))
        {
            var at = $"{path}[{i}]";
            var found = new List<FieldError>();
            var sources = VolumeSources.Where(s => volume[s] is not null).ToList();
            if (sources.Count == 0) found.Add(FieldError.Required(at, "must specify a volume type"));
            foreach (var extra in sources.Skip(1)) found.Add(FieldError.Forbidden($"{at}.{extra}", "may not specify more than 1 volume type"));
            ValidateSource(volume, at, found);
            var name = JsonRead.Str(volume, "name") ?? "";
            if (name.Length == 0) found.Add(FieldError.Required(at + ".name"));
            else foreach (var message in NameFormats.Dns1123Label(name)) found.Add(FieldError.Invalid(at + ".name", name, message));
            if (names.Contains(name)) found.Add(FieldError.Duplicate(at + ".name", name));
            // As in Kubernetes, an invalid volume is not registered, so mounts of it are reported as not found.
            if (found.Count == 0) names.Add(name);
            else errors.AddRange(found);
        }
        return names;
    }

    private static void ValidateSource(JsonObject volume, string path, List<FieldError> errors)
    {
        if (JsonRead.Obj(volume, "configMap") is { } configMap)
        {
            if (string.IsNullOrEmpty(JsonRead.Str(configMap, "name"))) errors.Add(FieldError.Required(path + ".configMap.name"));
            ValidateMode(configMap, path + ".configMap", errors);
        }
        if (JsonRead.Obj(volume, "secret") is { } secret)
        {
            if (string.IsNullOrEmpty(JsonRead.Str(secret, "secretName"))) errors.Add(FieldError.Required(path + ".secret.secretName"));
            ValidateMode(secret, path + ".secret", errors);
        }
        if (JsonRead.Obj(volume, "hostPath") is { } hostPath && string.IsNullOrEmpty(JsonRead.Str(hostPath, "path")))
            errors.Add(FieldError.Required(path + ".hostPath.path"));
        if (JsonRead.Obj(volume, "persistentVolumeClaim") is { } claim && string.IsNullOrEmpty(JsonRead.Str(claim, "claimName")))
            errors.Add(FieldError.Required(path + ".persistentVolumeClaim.claimName"));
    }

    private static void ValidateMode(JsonObject source, string path, List<FieldError> errors)
    {
        if (JsonRead.Long(source, "defaultMode") is { } mode && mode is < 0 or > 511)
            errors.Add(FieldError.Invalid(path + ".defaultMode", mode, "must be a number between 0 and 0777 (octal), both inclusive"));
    }

    private static void ValidateTolerations(JsonArray? tolerations, string path, List<FieldError> errors)
    {
        foreach (var (i, toleration) in JsonRead.Items(tolerations))
        {
            var at = $"{path}[{i}]";
            var key = JsonRead.Str(toleration, "key") ?? "";
            var op = JsonRead.Str(toleration, "operator") ?? "";
            var effect = JsonRead.Str(toleration, "effect") ?? "";
            if (key.Length > 0) foreach (var message in NameFormats.QualifiedName(key)) errors.Add(FieldError.Invalid(at + ".key", key, message));
            if (key.Length == 0 && op != "Exists")
                errors.Add(FieldError.Invalid(at + ".operator", op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            if (toleration["tolerationSeconds"] is not null && effect != "NoExecute")
                errors.Add(FieldError.Invalid(at + ".effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            var value = JsonRead.Str(toleration, "value") ?? "";
            switch (op)
            {
                case "Equal" or "":
                    foreach (var message in NameFormats.LabelValue(value)) errors.Add(FieldError.Invalid(at + ".operator", value, message));
                    break;
                case "Exists":
                    if (value.Length > 0) errors.Add(FieldError.InvalidRaw(at + ".operator", GoValue.Json(toleration), "value must be empty when `operator` is 'Exists'"));
                    break;
                default:
                    errors.Add(FieldError.NotSupported(at + ".operator", op, ["Equal", "Exists"]));
                    break;
            }
            if (effect.Length > 0) ValidateTaintEffect(effect, at + ".effect", errors);
        }
    }

    /// <summary>A taint or toleration effect: NoSchedule, PreferNoSchedule or NoExecute.</summary>
    public static void ValidateTaintEffect(string effect, string path, List<FieldError> errors) =>
        ContainerRules.Enum(effect, TaintEffects, path, errors);
}
