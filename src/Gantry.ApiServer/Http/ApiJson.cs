using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer.Http;

/// <summary>
/// JSON output settings: like Go's encoder, characters such as '+' and '\'' stay as they are (the default .NET
/// encoder escapes them, which clients decode fine but humans and byte-level comparisons do not expect).
/// </summary>
public static class ApiJson
{
    /// <summary>Serializer options for responses and stored objects.</summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writer options for streamed responses.</summary>
    public static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>The JSON of a node as the API writes it (a fresh array the caller owns).</summary>
    public static byte[] Bytes(JsonNode node) => EncodeBuffer.Serialize(node).ToArray();
}
