using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>policy/v1 PodDisruptionBudgets: minAvailable or maxUnavailable (not both), selector and eviction policy rules.</summary>
internal sealed class PodDisruptionBudgetStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["currentHealthy"] = 0, ["desiredHealthy"] = 0, ["disruptionsAllowed"] = 0, ["expectedPods"] = 0 };

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        if (spec?["minAvailable"] is not null && spec["maxUnavailable"] is not null)
            errors.Add(FieldError.InvalidRaw("spec", GoValue.Json(spec), "minAvailable and maxUnavailable cannot be both set"));
        foreach (var field in new[] { "minAvailable", "maxUnavailable" })
            if (spec?[field] is { } value)
            {
                WorkloadRules.IntOrPercent(value, "spec." + field, errors);
                WorkloadRules.NotMoreThan100Percent(value, "spec." + field, errors);
            }
        if (JsonRead.Obj(spec, "selector") is { } selector) SelectorRules.Validate(selector, "spec.selector", errors);
        if (JsonRead.Str(spec, "unhealthyPodEvictionPolicy") is { } policy && policy is not ("AlwaysAllow" or "IfHealthyBudget"))
            errors.Add(FieldError.NotSupported("spec.unhealthyPodEvictionPolicy", policy, ["AlwaysAllow", "IfHealthyBudget"]));
    }
}
