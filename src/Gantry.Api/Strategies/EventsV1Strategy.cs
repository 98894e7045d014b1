using System.Text.Json.Nodes;
using Gantry.Api.Conversion;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>
/// events.k8s.io/v1 Events, received in their own shape and checked as Kubernetes checks them after conversion: the
/// legacy rules plus the strict ones of the new API (eventTime required, Normal or Warning, deprecated fields unset)
/// and, on update, fields that may not change. Errors name the core fields, as Kubernetes' do.
/// </summary>
internal sealed class EventsV1Strategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private static readonly string[] ImmutableFields =
    [
        "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type", "eventTime", "action",
        "related", "reportingComponent", "reportingInstance",
    ];

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var core = EventConversion.ToCoreV1(obj);
        EventStrategy.ValidateLegacy(core, errors);
        ValidateSeries(core, errors);
        if (string.IsNullOrEmpty(JsonRead.Str(core, "eventTime"))) errors.Add(FieldError.Required("eventTime"));
        var type = JsonRead.Str(core, "type") ?? "";
        if (type is not ("Normal" or "Warning")) errors.Add(FieldError.Invalid("type", "", $"has invalid value: {type}"));
        foreach (var field in new[] { "firstTimestamp", "lastTimestamp" })
            if (!string.IsNullOrEmpty(JsonRead.Str(core, field))) errors.Add(FieldError.Invalid(field, "", "needs to be unset"));
        if ((JsonRead.Long(core, "count") ?? 0) != 0) errors.Add(FieldError.Invalid("count", "", "needs to be unset"));
        var source = JsonRead.Obj(core, "source");
        if (!string.IsNullOrEmpty(JsonRead.Str(source, "component")) || !string.IsNullOrEmpty(JsonRead.Str(source, "host")))
            errors.Add(FieldError.Invalid("source", "", "needs to be unset"));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        var core = EventConversion.ToCoreV1(obj);
        var oldCore = EventConversion.ToCoreV1(old);
        EventStrategy.ValidateLegacy(core, errors);
        if (!JsonSemantics.Equal(core["series"], oldCore["series"])) ValidateSeries(core, errors);
        foreach (var field in ImmutableFields)
        {
            // Kubernetes' internal name of the reporting controller differs from core/v1's.
            var path = field == "reportingComponent" ? "reportingController" : field;
            Immutable(core[field], oldCore[field], path, n => JsonRead.AsString(n) is { } s ? GoValue.Quote(s) : GoValue.Json(n), errors);
        }
    }

    private static void ValidateSeries(JsonObject core, List<FieldError> errors)
    {
        if (JsonRead.Obj(core, "series") is not { } series) return;
        if ((JsonRead.Long(series, "count") ?? 0) < 2) errors.Add(FieldError.Invalid("series.count", "", "should be at least 2"));
        if (string.IsNullOrEmpty(JsonRead.Str(series, "lastObservedTime"))) errors.Add(FieldError.Required("series.lastObservedTime"));
    }
}
