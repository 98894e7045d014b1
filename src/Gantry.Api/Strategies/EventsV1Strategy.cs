using System.Text.Json.Nodes;
using Gantry.Api.Conversion;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>
/// events.k8s.io/v1 Events, validated in their own shape: the legacy checks plus the strict rules of the new API
/// (eventTime required, Normal or Warning, deprecated fields unset) and, on update, the fields that may not change.
/// </summary>
internal sealed class EventsV1Strategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private static readonly string[] ImmutableFields = ["regarding", "reason", "note", "deprecatedSource", "action", "related", "reportingController", "reportingInstance", "type"];

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        EventStrategy.ValidateLegacy(EventConversion.ToCoreV1(obj), "reportingController", errors);
        if (string.IsNullOrEmpty(JsonRead.Str(obj, "eventTime"))) errors.Add(FieldError.Required("eventTime"));
        var type = JsonRead.Str(obj, "type") ?? "";
        if (type is not ("Normal" or "Warning")) errors.Add(FieldError.Invalid("type", "", $"has invalid value: {type}"));
        foreach (var field in new[] { "deprecatedFirstTimestamp", "deprecatedLastTimestamp" })
            if (!string.IsNullOrEmpty(JsonRead.Str(obj, field))) errors.Add(FieldError.Invalid(field, "", "needs to be unset"));
        if ((JsonRead.Long(obj, "deprecatedCount") ?? 0) != 0) errors.Add(FieldError.Invalid("deprecatedCount", "", "needs to be unset"));
        var source = JsonRead.Obj(obj, "deprecatedSource");
        if (!string.IsNullOrEmpty(JsonRead.Str(source, "component")) || !string.IsNullOrEmpty(JsonRead.Str(source, "host")))
            errors.Add(FieldError.Invalid("deprecatedSource", "", "needs to be unset"));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        foreach (var field in ImmutableFields)
            Immutable(obj[field], old[field], field, n => JsonRead.AsString(n) is { } s ? GoValue.Quote(s) : GoValue.Json(n), errors);
    }
}
