using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;

namespace Gantry.Simulation;

/// <summary>
/// Reads of a pod's metadata only what a hollow node and its informer use (name, namespace, uid, resourceVersion,
/// deletionTimestamp) and skips the rest: the managedFields entries, each a field tree kept as its own JSON document,
/// were the largest part of decoding a pod's watch event once the spec and status were cut down (<see cref="HollowPod"/>).
/// </summary>
internal sealed class HollowPodMetadataConverter : JsonConverter<V1ObjectMeta>
{
    /// <inheritdoc />
    public override V1ObjectMeta? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("metadata is not an object");
        var meta = new V1ObjectMeta();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8)) meta.Name = String(ref reader);
            else if (reader.ValueTextEquals("namespace"u8)) meta.NamespaceProperty = String(ref reader);
            else if (reader.ValueTextEquals("uid"u8)) meta.Uid = String(ref reader);
            else if (reader.ValueTextEquals("resourceVersion"u8)) meta.ResourceVersion = String(ref reader);
            else if (reader.ValueTextEquals("deletionTimestamp"u8))
            {
                reader.Read();
                meta.DeletionTimestamp = reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTime().ToUniversalTime();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return meta;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, V1ObjectMeta value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, (JsonTypeInfo<V1ObjectMeta>)options.GetTypeInfo(typeof(V1ObjectMeta)));

    private static string? String(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
    }
}
