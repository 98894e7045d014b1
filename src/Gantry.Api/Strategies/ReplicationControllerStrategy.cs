using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>core/v1 ReplicationControllers: selector and labels default to the template labels; map selector rules.</summary>
internal sealed class ReplicationControllerStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["replicas"] = 0 };

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        var template = JsonRead.Obj(spec, "template");
        if (JsonRead.Obj(JsonRead.Obj(template, "metadata"), "labels") is { } labels)
        {
            if (JsonRead.Obj(spec, "selector") is not { Count: > 0 }) spec["selector"] = labels.DeepClone();
            WorkloadRules.DefaultLabelsFromTemplate(obj, template);
        }
        JsonRead.Default(spec, "replicas", 1);
        PodDefaults.ApplyTemplate(template);
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        var selector = JsonRead.Obj(spec, "selector");
        if (selector is not { Count: > 0 }) errors.Add(FieldError.Required("spec.selector"));
        else MetadataRules.ValidateLabels(selector, "spec.selector", errors);
        WorkloadRules.NonNegative(spec, "replicas", "spec.replicas", errors);
        WorkloadRules.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
        var template = JsonRead.Obj(spec, "template");
        Func<JsonObject?, bool>? matches = selector is { Count: > 0 } ? labels => SelectorRules.MatchesMap(selector, labels) : null;
        PodSpecRules.ValidateTemplate(template, matches, "spec.template", errors);
        if (template is not null) PodSpecRules.RequireAlwaysRestart(template, "spec.template", "ReplicationController", errors);
    }
}
