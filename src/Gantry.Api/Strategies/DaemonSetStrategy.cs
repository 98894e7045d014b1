using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>apps/v1 DaemonSets: rolling updates one node at a time by default; selector, template and strategy rules.</summary>
internal sealed class DaemonSetStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        var strategy = JsonRead.Child(spec, "updateStrategy");
        JsonRead.DefaultString(strategy, "type", "RollingUpdate");
        if (JsonRead.Str(strategy, "type") == "RollingUpdate")
        {
            var rollingUpdate = JsonRead.Child(strategy, "rollingUpdate");
            JsonRead.Default(rollingUpdate, "maxUnavailable", 1);
            JsonRead.Default(rollingUpdate, "maxSurge", 0);
        }
        JsonRead.Default(spec, "revisionHistoryLimit", 10);
        PodDefaults.ApplyTemplate(JsonRead.Obj(spec, "template"));
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        WorkloadRules.SelectorAndTemplate(spec, "daemonset", errors);
        var template = JsonRead.Obj(spec, "template");
        var policy = JsonRead.Str(JsonRead.Obj(template, "spec"), "restartPolicy") ?? "";
        if (policy != "Always") errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", policy, ["Always"]));
        if (JsonRead.Long(JsonRead.Obj(template, "spec"), "activeDeadlineSeconds") is { } deadline)
            errors.Add(FieldError.Invalid("spec.template.spec.activeDeadlineSeconds", deadline, "activeDeadlineSeconds in DaemonSet is not Supported"));
        WorkloadRules.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
        ValidateUpdateStrategy(JsonRead.Obj(spec, "updateStrategy"), errors);
        WorkloadRules.NonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errors);
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        WorkloadRules.ImmutableSelector(obj, old, errors);
    }

    private static void ValidateUpdateStrategy(JsonObject? strategy, List<FieldError> errors)
    {
        switch (JsonRead.Str(strategy, "type"))
        {
            case "OnDelete":
                break;
            case "RollingUpdate":
                if (JsonRead.Obj(strategy, "rollingUpdate") is not { } rollingUpdate)
                {
                    errors.Add(FieldError.Required("spec.updateStrategy.rollingUpdate"));
                    break;
                }
                var unavailableZero = WorkloadRules.IntOrPercent(rollingUpdate["maxUnavailable"], "spec.updateStrategy.rollingUpdate.maxUnavailable", errors);
                var surgeZero = WorkloadRules.IntOrPercent(rollingUpdate["maxSurge"], "spec.updateStrategy.rollingUpdate.maxSurge", errors);
                if (unavailableZero && surgeZero)
                    errors.Add(FieldError.InvalidRaw("spec.updateStrategy.rollingUpdate.maxUnavailable", WorkloadRules.Render(rollingUpdate["maxUnavailable"]),
                        "may not be 0 when `maxSurge` is 0"));
                break;
            default:
                errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.updateStrategy", GoValue.Json(strategy),
                    "supported values: \"RollingUpdate\", \"OnDelete\"") { ValueIsRaw = true });
                break;
        }
    }
}
