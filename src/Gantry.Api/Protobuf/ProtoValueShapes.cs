using System.Globalization;
using System.Text.Json.Nodes;

namespace Gantry.Api.Protobuf;

/// <summary>
/// Turns the decoded parts of the apimachinery types that marshal themselves (Time, Quantity, IntOrString, ...)
/// into the JSON value their Go MarshalJSON writes.
/// </summary>
internal static class ProtoValueShapes
{
    private static readonly long ZeroTimeSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();

    /// <summary>
    /// The JSON for a message of <paramref name="shape"/> whose fields were read into <paramref name="parts"/>;
    /// <paramref name="empty"/> is true when the message had no bytes at all (how Go writes a zero Time).
    /// </summary>
    public static JsonNode? Convert(ProtoMessageShape shape, JsonObject parts, bool empty) => shape switch
    {
        // metav1.Time keeps whole seconds only (its Unmarshal drops nanos); MicroTime keeps microseconds.
        ProtoMessageShape.Time => empty ? null : Timestamp(Integer(parts["seconds"]), 0, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'"),
        ProtoMessageShape.MicroTime => empty ? null : Timestamp(Integer(parts["seconds"]), Integer(parts["nanos"]), "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'"),
        ProtoMessageShape.Quantity => parts["string"] is JsonValue q && q.GetValue<string>() is { Length: > 0 } text ? text : "0",
        ProtoMessageShape.IntOrString => IntOrString(parts),
        ProtoMessageShape.StringList => parts.Remove("items", out var items) ? items : new JsonArray(),
        _ => parts,
    };

    /// <summary>The value a map entry without a value field stands for (Go's zero value of the map's value type).</summary>
    public static JsonNode? ZeroOf(ProtoField field) => field.Type switch
    {
        ProtoFieldType.String or ProtoFieldType.Bytes => "",
        ProtoFieldType.Bool => false,
        ProtoFieldType.Message => Convert(field.Message!.Shape, [], empty: true),
        _ => 0L,
    };

    private static JsonNode IntOrString(JsonObject parts)
    {
        var type = Integer(parts["type"]);
        if (type == 0) return JsonValue.Create(Integer(parts["intVal"]));
        if (type == 1) return JsonValue.Create(parts["strVal"]?.GetValue<string>() ?? "");
        throw ProtobufObjectReader.Malformed($"an IntOrString has type {type}; only 0 (int) and 1 (string) exist");
    }

    private static JsonNode? Timestamp(long seconds, long nanos, string format)
    {
        // Go's time.Unix accepts nanos outside [0, 1e9) and carries them into seconds.
        seconds += Math.DivRem(nanos, 1_000_000_000L, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += 1_000_000_000L;
        }
        if (seconds == ZeroTimeSeconds && rest == 0) return null;
        DateTimeOffset time;
        try
        {
            time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(rest / 100);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw ProtobufObjectReader.Malformed($"a timestamp of {seconds} seconds is outside years 1 to 9999");
        }
        return time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
    }

    private static long Integer(JsonNode? node) => node is JsonValue value && value.TryGetValue(out long number) ? number : 0;
}
