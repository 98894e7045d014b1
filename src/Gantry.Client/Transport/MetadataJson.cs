using System.Text.Json;

namespace Gantry.Client.Transport;

/// <summary>Reading an object's <c>metadata</c> members straight from its JSON, without decoding the object.</summary>
internal static class MetadataJson
{
    /// <summary>
    /// Moves a reader that has just read an object's start onto the start of its <c>metadata</c> object; false when
    /// the object has none.
    /// </summary>
    public static bool Enter(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var metadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (metadata && reader.TokenType == JsonTokenType.StartObject) return true;
            reader.Skip();
        }
        return false;
    }
}
