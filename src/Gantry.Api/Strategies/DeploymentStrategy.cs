using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>apps/v1 Deployments: replicas, rolling-update strategy and history defaults; selector and template rules.</summary>
internal sealed class DeploymentStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    protected override JsonObject? InitialStatus(JsonObject obj) => [];

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        JsonRead.Default(spec, "replicas", 1);
        var strategy = JsonRead.Child(spec, "strategy");
        JsonRead.DefaultString(strategy, "type", "RollingUpdate");
        if (JsonRead.Str(strategy, "type") == "RollingUpdate")
        {
            var rollingUpdate = JsonRead.Child(strategy, "rollingUpdate");
            JsonRead.Default(rollingUpdate, "maxUnavailable", "25%");
            JsonRead.Default(rollingUpdate, "maxSurge", "25%");
        }
        JsonRead.Default(spec, "revisionHistoryLimit", 10);
        JsonRead.Default(spec, "progressDeadlineSeconds", 600);
        PodDefaults.ApplyTemplate(JsonRead.Obj(spec, "template"));
    }

    // Rollbacks are annotation driven, so Kubernetes bumps the generation on annotation changes too.
    protected override bool ChangesGeneration(JsonObject obj, JsonObject old) =>
        base.ChangesGeneration(obj, old) || !JsonSemantics.Equal(JsonRead.Obj(JsonRead.Obj(obj, "metadata"), "annotations"), JsonRead.Obj(JsonRead.Obj(old, "metadata"), "annotations"));

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        WorkloadRules.NonNegative(spec, "replicas", "spec.replicas", errors);
        WorkloadRules.SelectorAndTemplate(spec, "deployment", validatePodSpec: true, errors);
        PodSpecRules.RequireAlwaysRestart(JsonRead.Obj(spec, "template"), "spec.template", "ReplicaSet", errors);
        ValidateStrategy(JsonRead.Obj(spec, "strategy"), errors);
        WorkloadRules.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
        WorkloadRules.NonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errors);
        if (JsonRead.Long(spec, "progressDeadlineSeconds") is { } deadline)
        {
            WorkloadRules.NonNegative(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds", errors);
            if (deadline <= (JsonRead.Long(spec, "minReadySeconds") ?? 0))
                errors.Add(FieldError.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"));
        }
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        WorkloadRules.ImmutableSelector(obj, old, errors);
    }

    private static void ValidateStrategy(JsonObject? strategy, List<FieldError> errors)
    {
        var type = JsonRead.Str(strategy, "type") ?? "";
        var rollingUpdate = JsonRead.Obj(strategy, "rollingUpdate");
        switch (type)
        {
            case "Recreate":
                if (rollingUpdate is not null)
                    errors.Add(FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
                break;
            case "RollingUpdate":
                if (rollingUpdate is null)
                {
                    errors.Add(FieldError.Required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
                    break;
                }
                const string path = "spec.strategy.rollingUpdate";
                WorkloadRules.IntOrPercent(rollingUpdate["maxUnavailable"], path + ".maxUnavailable", errors);
                WorkloadRules.IntOrPercent(rollingUpdate["maxSurge"], path + ".maxSurge", errors);
                if (WorkloadRules.Value(rollingUpdate["maxUnavailable"]) == 0 && WorkloadRules.Value(rollingUpdate["maxSurge"]) == 0)
                    errors.Add(FieldError.InvalidRaw(path + ".maxUnavailable", WorkloadRules.Render(rollingUpdate["maxUnavailable"]), "may not be 0 when `maxSurge` is 0"));
                WorkloadRules.NotMoreThan100Percent(rollingUpdate["maxUnavailable"], path + ".maxUnavailable", errors);
                break;
            default:
                errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.strategy", GoValue.Json(strategy),
                    "supported values: \"Recreate\", \"RollingUpdate\"") { ValueIsRaw = true });
                break;
        }
    }
}
