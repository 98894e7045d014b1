using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Client.Transport;

/// <summary>
/// Reads <see cref="ListBody{T}"/> by hand. The serializer's own object metadata would resolve the item type's metadata,
/// and with it every type the item reaches (~200 for a Pod: its spec, containers, volume sources, ...), when the list is
/// first read, even when it is empty; an idle <c>gantry server</c> lists and watches a dozen kinds with no objects
/// (workloads, volumes, budgets). Here an item type's metadata is built with its first item.
/// </summary>
internal sealed class ListBodyConverter<T> : JsonConverter<ListBody<T>>
{
    public override ListBody<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a list response is not a JSON object");
        var body = new ListBody<T>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var metadata = reader.ValueTextEquals("metadata"u8);
            var items = !metadata && reader.ValueTextEquals("items"u8);
            reader.Read();
            if (metadata) body.ListMeta = JsonSerializer.Deserialize(ref reader, KubernetesJsonOptions.TypeInfo<k8s.Models.V1ListMeta>());
            else if (items) body.Items = ReadItems(ref reader);
            else reader.Skip();
        }
        return body;
    }

    private static List<T>? ReadItems(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("a list response's items are not a JSON array");
        var metadata = KubernetesJsonOptions.TypeInfo<T>();
        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) items.Add(JsonSerializer.Deserialize(ref reader, metadata)!);
        return items;
    }

    public override void Write(Utf8JsonWriter writer, ListBody<T> value, JsonSerializerOptions options) =>
        throw new NotSupportedException("list responses are only read");
}
