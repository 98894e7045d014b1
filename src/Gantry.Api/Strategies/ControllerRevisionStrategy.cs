using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>apps/v1 ControllerRevisions: mandatory, immutable data and a non-negative revision.</summary>
internal sealed class ControllerRevisionStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        if (obj["data"] is null) errors.Add(FieldError.Required("data", "data is mandatory"));
        WorkloadRules.NonNegative(obj, "revision", "revision", errors);
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        Immutable(obj["data"], old["data"], "data", GoValue.Json, errors);
    }
}
