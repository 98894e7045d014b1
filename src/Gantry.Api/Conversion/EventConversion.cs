using System.Text.Json.Nodes;

namespace Gantry.Api.Conversion;

/// <summary>
/// Converts Events between core/v1 and events.k8s.io/v1 as Kubernetes does (pkg/apis/events/v1 conversion):
/// renamed fields are mapped (involvedObject/regarding, message/note, source/deprecatedSource, the timestamps and count,
/// reportingComponent/reportingController), the rest is copied, and the output is shaped as Kubernetes serializes it
/// (empty structs as <c>{}</c>, unset times as null).
/// </summary>
public static class EventConversion
{
    // core/v1 name -> events.k8s.io/v1 name, in the order events.k8s.io/v1 serializes its fields.
    private static readonly (string Core, string Events)[] EventsOrder =
    [
        ("eventTime", "eventTime"), ("series", "series"), ("reportingComponent", "reportingController"),
        ("reportingInstance", "reportingInstance"), ("action", "action"), ("reason", "reason"), ("involvedObject", "regarding"),
        ("related", "related"), ("message", "note"), ("type", "type"), ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"), ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"),
    ];

    // The same pairs in the order core/v1 serializes its fields.
    private static readonly (string Core, string Events)[] CoreOrder =
    [
        ("involvedObject", "regarding"), ("reason", "reason"), ("message", "note"), ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"), ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"),
        ("type", "type"), ("eventTime", "eventTime"), ("series", "series"), ("action", "action"), ("related", "related"),
        ("reportingComponent", "reportingController"), ("reportingInstance", "reportingInstance"),
    ];

    // Fields Go always writes: structs without a pointer ({}), times (null when zero), strings without omitempty ("").
    private static readonly Dictionary<string, Func<JsonNode?>> EventsAlways = new()
    {
        ["eventTime"] = () => null, ["regarding"] = () => new JsonObject(), ["deprecatedSource"] = () => new JsonObject(),
        ["deprecatedFirstTimestamp"] = () => null, ["deprecatedLastTimestamp"] = () => null,
    };

    private static readonly Dictionary<string, Func<JsonNode?>> CoreAlways = new()
    {
        ["involvedObject"] = () => new JsonObject(), ["source"] = () => new JsonObject(), ["firstTimestamp"] = () => null,
        ["lastTimestamp"] = () => null, ["eventTime"] = () => null, ["reportingComponent"] = () => "", ["reportingInstance"] = () => "",
    };

    /// <summary>A core/v1 Event as an events.k8s.io/v1 Event.</summary>
    public static JsonObject ToEventsV1(JsonObject coreEvent) =>
        Convert(coreEvent, "events.k8s.io/v1", EventsOrder.Select(p => (From: p.Core, To: p.Events)), EventsAlways);

    /// <summary>An events.k8s.io/v1 Event as a core/v1 Event.</summary>
    public static JsonObject ToCoreV1(JsonObject eventsEvent) =>
        Convert(eventsEvent, "v1", CoreOrder.Select(p => (From: p.Events, To: p.Core)), CoreAlways);

    private static JsonObject Convert(JsonObject source, string apiVersion, IEnumerable<(string From, string To)> fields,
        Dictionary<string, Func<JsonNode?>> always)
    {
        var result = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = apiVersion,
            ["metadata"] = source["metadata"]?.DeepClone() ?? new JsonObject(),
        };
        foreach (var (from, to) in fields)
        {
            var value = source[from];
            if (value is not null && !IsZero(value)) result[to] = value.DeepClone();
            else if (always.TryGetValue(to, out var empty)) result[to] = empty();
        }
        return result;
    }

    // Go's omitempty drops empty strings and zero numbers.
    private static bool IsZero(JsonNode value) =>
        value is JsonValue v && (v.ToJsonString() is "\"\"" or "0");
}
