using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>Names path elements the way managedFields does and renders paths the way conflict messages do.</summary>
internal static class PathElement
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_key;

    /// <summary>An object member: <c>f:name</c>.</summary>
    public static string Field(string name) => "f:" + name;

    /// <summary>A set item: <c>v:"value"</c>.</summary>
    public static string Value(JsonNode? value) => "v:" + Serialize(value);

    /// <summary>
    /// An associative list item: <c>k:{"name":"app"}</c> with the key fields in name order; a missing key field takes
    /// its schema default, or makes the item unidentifiable (null).
    /// </summary>
    public static string? Key(JsonNode? item, IReadOnlyList<string> keys)
    {
        if (item is not JsonObject o) return null;
        // Written straight from the item's values: the same text as serializing a key object built from copies of
        // them, without the copies (two per list item on every update's managedFields comparison).
        var buffer = t_key ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        buffer.Write("k:"u8);
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            writer.WriteStartObject();
            foreach (var name in keys.Count == 1 ? keys : (IEnumerable<string>)keys.Order(StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                if (o.TryGetPropertyValue(name, out var value) && value is not null) value.WriteTo(writer);
                else if (PatchSchema.KeyDefault(name) is { } fallback) fallback.WriteTo(writer);
                else return null;
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A path as Kubernetes prints it in conflicts: <c>.spec.containers[name="app"].image</c>.</summary>
    public static string Display(IEnumerable<string> path)
    {
        var text = new StringBuilder();
        foreach (var element in path)
        {
            var body = element[2..];
            switch (element[0])
            {
                case 'f':
                    text.Append('.').Append(body);
                    break;
                case 'k':
                    var fields = JsonNode.Parse(body)!.AsObject().Select(p => $"{p.Key}={Serialize(p.Value)}");
                    text.Append('[').Append(string.Join(",", fields)).Append(']');
                    break;
                case 'v':
                    text.Append("[=").Append(body).Append(']');
                    break;
                default:
                    text.Append('[').Append(body).Append(']');
                    break;
            }
        }
        return text.ToString();
    }

    private static string Serialize(JsonNode? value) => value?.ToJsonString(Compact) ?? "null";
}
