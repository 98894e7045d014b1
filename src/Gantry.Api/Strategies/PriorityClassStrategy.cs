using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>scheduling.k8s.io PriorityClasses: reserved system- names, a user ceiling, value and preemption policy fixed.</summary>
internal sealed class PriorityClassStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private const long HighestUserDefinablePriority = 1_000_000_000;
    private static readonly Dictionary<string, long> SystemClasses = new()
    {
        ["system-node-critical"] = 2_000_001_000,
        ["system-cluster-critical"] = 2_000_000_000,
    };

    public override void ApplyDefaults(JsonObject obj) => JsonRead.DefaultString(obj, "preemptionPolicy", "PreemptLowerPriority");

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var name = JsonRead.Str(JsonRead.Obj(obj, "metadata"), "name") ?? "";
        var value = JsonRead.Long(obj, "value") ?? 0;
        if (name.StartsWith("system-", StringComparison.Ordinal))
        {
            string? problem = !SystemClasses.TryGetValue(name, out var expected) ? $"{name} is not a known system priority class"
                : expected != value ? $"value of {name} PriorityClass must be {expected}"
                : null;
            if (problem is not null)
                errors.Add(FieldError.Forbidden("metadata.name", "priority class names with 'system-' prefix are reserved for system use only. error: " + problem));
        }
        else if (value > HighestUserDefinablePriority)
        {
            errors.Add(FieldError.Forbidden("value", $"maximum allowed value of a user defined priority is {HighestUserDefinablePriority}"));
        }
        if (JsonRead.Str(obj, "preemptionPolicy") is { } policy && policy is not ("PreemptLowerPriority" or "Never"))
            errors.Add(FieldError.NotSupported("preemptionPolicy", policy, ["Never", "PreemptLowerPriority"]));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        if ((JsonRead.Long(obj, "value") ?? 0) != (JsonRead.Long(old, "value") ?? 0))
            errors.Add(FieldError.Forbidden("value", "may not be changed in an update."));
        Immutable(JsonRead.Str(obj, "preemptionPolicy"), JsonRead.Str(old, "preemptionPolicy"), "preemptionPolicy", errors);
    }
}
