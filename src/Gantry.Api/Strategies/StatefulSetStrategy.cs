using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>apps/v1 StatefulSets: ordered pod management, partitioned rolling updates, and a spec that is mostly fixed.</summary>
internal sealed class StatefulSetStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    private static readonly string[] Updatable = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    // Pods are named <statefulset>-<ordinal> and use that as their hostname, so the name must be a DNS label.
    protected override IReadOnlyList<string> ValidateName(string name) => NameFormats.Dns1123Label(name);

    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["replicas"] = 0, ["availableReplicas"] = 0 };

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        JsonRead.DefaultString(spec, "podManagementPolicy", "OrderedReady");
        var strategy = JsonRead.Child(spec, "updateStrategy");
        if (string.IsNullOrEmpty(JsonRead.Str(strategy, "type")))
        {
            strategy["type"] = "RollingUpdate";
            JsonRead.Child(strategy, "rollingUpdate");
        }
        if (JsonRead.Str(strategy, "type") == "RollingUpdate" && JsonRead.Obj(strategy, "rollingUpdate") is { } rollingUpdate)
            JsonRead.Default(rollingUpdate, "partition", 0);
        var retention = JsonRead.Child(spec, "persistentVolumeClaimRetentionPolicy");
        JsonRead.DefaultString(retention, "whenDeleted", "Retain");
        JsonRead.DefaultString(retention, "whenScaled", "Retain");
        JsonRead.Default(spec, "replicas", 1);
        JsonRead.Default(spec, "revisionHistoryLimit", 10);
        PodDefaults.ApplyTemplate(JsonRead.Obj(spec, "template"));
        foreach (var (_, claim) in JsonRead.Items(JsonRead.Arr(spec, "volumeClaimTemplates")))
        {
            PodDefaults.EmbeddedMetadata(claim);
            JsonRead.Default(JsonRead.Child(claim, "spec"), "volumeMode", "Filesystem");
            JsonRead.DefaultString(JsonRead.Child(claim, "status"), "phase", "Pending");
        }
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        var policy = JsonRead.Str(spec, "podManagementPolicy") ?? "";
        if (policy.Length == 0) errors.Add(FieldError.Required("spec.podManagementPolicy"));
        else if (policy is not ("OrderedReady" or "Parallel"))
            errors.Add(FieldError.Invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"));
        var strategy = JsonRead.Obj(spec, "updateStrategy");
        switch (JsonRead.Str(strategy, "type") ?? "")
        {
            case "":
                errors.Add(FieldError.Required("spec.updateStrategy"));
                break;
            case "RollingUpdate":
                WorkloadRules.NonNegative(JsonRead.Obj(strategy, "rollingUpdate"), "partition", "spec.updateStrategy.rollingUpdate.partition", errors);
                break;
            case "OnDelete":
                if (strategy?["rollingUpdate"] is { } rolling)
                    errors.Add(FieldError.InvalidRaw("spec.updateStrategy.rollingUpdate", GoValue.Json(rolling), "only allowed for updateStrategy 'RollingUpdate'"));
                break;
            default:
                errors.Add(FieldError.InvalidRaw("spec.updateStrategy", GoValue.Json(strategy), "must be 'RollingUpdate' or 'OnDelete'"));
                break;
        }
        var retention = JsonRead.Obj(spec, "persistentVolumeClaimRetentionPolicy");
        foreach (var field in new[] { "whenDeleted", "whenScaled" })
            if (JsonRead.Str(retention, field) is { } value && value is not ("Retain" or "Delete"))
                errors.Add(FieldError.NotSupported($"spec.persistentVolumeClaimRetentionPolicy.{field}", value, ["Retain", "Delete"]));
        WorkloadRules.NonNegative(spec, "replicas", "spec.replicas", errors);
        WorkloadRules.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
        WorkloadRules.NonNegative(JsonRead.Obj(spec, "ordinals"), "start", "spec.ordinals.start", errors);
        // Kubernetes checks only the metadata of a StatefulSet's template, not its pod spec.
        WorkloadRules.SelectorAndTemplate(spec, "statefulset", validatePodSpec: false, errors);
        PodSpecRules.RequireAlwaysRestart(JsonRead.Obj(spec, "template"), "spec.template", "StatefulSet", errors);
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        var spec = (JsonRead.Obj(obj, "spec") ?? []).DeepClone().AsObject();
        var oldSpec = (JsonRead.Obj(old, "spec") ?? []).DeepClone().AsObject();
        foreach (var field in Updatable)
        {
            spec.Remove(field);
            oldSpec.Remove(field);
        }
        if (!JsonSemantics.Equal(spec, oldSpec))
            errors.Add(FieldError.Forbidden("spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
}
