using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// Writes metadata.resourceVersion into stored JSON without parsing it into a tree: the store keeps objects without
/// their resourceVersion (the revision is the truth), and single-object reads only need it inserted.
/// </summary>
public static class ResourceVersionStamp
{
    /// <summary>The stored bytes with <c>"resourceVersion":"N"</c> as the first member of the top-level metadata.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> stored, long revision)
    {
        var insertAt = MetadataBodyStart(stored, out var empty);
        var field = Encoding.UTF8.GetBytes($"\"resourceVersion\":\"{revision.ToString(CultureInfo.InvariantCulture)}\"{(empty ? "" : ",")}");
        if (insertAt < 0)
        {
            // No metadata at all: add it as the first member of the object.
            var start = stored.IndexOf((byte)'{') + 1;
            var meta = Encoding.UTF8.GetBytes($"\"metadata\":{{\"resourceVersion\":\"{revision.ToString(CultureInfo.InvariantCulture)}\"}}{(stored[start..].TrimStart(" \t\r\n"u8)[0] == (byte)'}' ? "" : ",")}");
            return [.. stored[..start], .. meta, .. stored[start..]];
        }
        return [.. stored[..insertAt], .. field, .. stored[insertAt..]];
    }

    /// <summary>The offset just after the '{' of the top-level "metadata" object, or -1.</summary>
    private static int MetadataBodyStart(ReadOnlySpan<byte> json, out bool empty)
    {
        empty = false;
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
            if (!reader.ValueTextEquals("metadata"u8))
            {
                reader.Skip();
                continue;
            }
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject) return -1;
            var at = (int)reader.TokenStartIndex + 1;
            reader.Read();
            empty = reader.TokenType == JsonTokenType.EndObject;
            return at;
        }
        return -1;
    }
}
