using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>apps/v1 ReplicaSets: one replica by default; selector, template and replica rules.</summary>
internal sealed class ReplicaSetStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["replicas"] = 0 };

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        JsonRead.Default(spec, "replicas", 1);
        PodDefaults.ApplyTemplate(JsonRead.Obj(spec, "template"));
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        WorkloadRules.NonNegative(spec, "replicas", "spec.replicas", errors);
        WorkloadRules.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
        WorkloadRules.SelectorAndTemplate(spec, "deployment", validatePodSpec: true, errors);
        PodSpecRules.RequireAlwaysRestart(JsonRead.Obj(spec, "template"), "spec.template", "ReplicaSet", errors);
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        WorkloadRules.ImmutableSelector(obj, old, errors);
    }
}
