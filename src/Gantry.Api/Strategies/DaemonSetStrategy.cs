using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>apps/v1 DaemonSets: rolling updates one node at a time by default; selector, template and strategy rules.</summary>
internal sealed class DaemonSetStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    protected override JsonObject? InitialStatus(JsonObject obj) =>
        new() { ["currentNumberScheduled"] = 0, ["numberMisscheduled"] = 0, ["desiredNumberScheduled"] = 0, ["numberReady"] = 0 };

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
        WorkloadRules.SelectorAndTemplate(spec, "daemonset", validatePodSpec: true, errors, requireSelector: false);
        PodSpecRules.RequireAlwaysRestart(JsonRead.Obj(spec, "template"), "spec.template", "DaemonSet", errors);
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
                const string path = "spec.updateStrategy.rollingUpdate";
                WorkloadRules.IntOrPercent(rollingUpdate["maxUnavailable"], path + ".maxUnavailable", errors);
                WorkloadRules.IntOrPercent(rollingUpdate["maxSurge"], path + ".maxSurge", errors);
                WorkloadRules.NotMoreThan100Percent(rollingUpdate["maxUnavailable"], path + ".maxUnavailable", errors);
                WorkloadRules.NotMoreThan100Percent(rollingUpdate["maxSurge"], path + ".maxSurge", errors);
                // Exactly one of the two may be non-zero.
                var hasUnavailable = WorkloadRules.Value(rollingUpdate["maxUnavailable"]) != 0;
                var hasSurge = WorkloadRules.Value(rollingUpdate["maxSurge"]) != 0;
                if (hasUnavailable && hasSurge)
                    errors.Add(FieldError.InvalidRaw(path + ".maxSurge", WorkloadRules.Render(rollingUpdate["maxSurge"]), "may not be set when maxUnavailable is non-zero"));
                else if (!hasUnavailable && !hasSurge)
                    errors.Add(FieldError.Required(path + ".maxUnavailable", "cannot be 0 when maxSurge is 0"));
                break;
            default:
                errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.updateStrategy", GoValue.Json(strategy),
                    "supported values: \"RollingUpdate\", \"OnDelete\"") { ValueIsRaw = true });
                break;
        }
    }
}
