using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Google.Protobuf;

namespace Gantry.Api.Protobuf;

/// <summary>
/// Decodes Kubernetes protobuf request bodies (<c>application/vnd.kubernetes.protobuf</c>, which kubectl sends for
/// create, auth can-i and drain) into the JSON object the same request would have carried as JSON.
/// </summary>
/// <remarks>
/// Which fields appear follows from how Kubernetes' gogo marshaller writes them: a Go pointer field is on the wire
/// only when set, so it is always kept (<c>replicas: 0</c>, <c>automountServiceAccountToken: false</c>,
/// <c>emptyDir: {}</c>); a Go value field is always on the wire, so a zero scalar ("" / 0 / false) is dropped, as
/// Go's omitempty does (value fields without omitempty, such as a PodDisruptionBudget's status counters, are
/// dropped too: the same value to any Go reader). Present structs are always kept, like Go's JSON does; lists,
/// map values and map keys keep zeros. Time and MicroTime write null when zero, Quantity its string,
/// IntOrString a number or string, bytes base64, RawExtension its embedded object. Unknown fields are skipped;
/// a field that occurs twice keeps its last value.
/// </remarks>
public static class KubernetesProtobuf
{
    /// <summary>The Kubernetes protobuf media type.</summary>
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    /// <summary>The four bytes that open every Kubernetes protobuf body: "k8s" and a zero byte.</summary>
    internal static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>
    /// Decodes a body: the magic prefix, then a runtime.Unknown envelope whose typeMeta names the kind and whose
    /// raw bytes hold the object's message. The result starts with apiVersion and kind.
    /// </summary>
    /// <exception cref="ApiException">400 BadRequest for any malformed or unsupported body.</exception>
    public static JsonObject Decode(ReadOnlySpan<byte> body) => Decode(body, depth: 0);

    internal static JsonObject Decode(ReadOnlySpan<byte> body, int depth)
    {
        if (!body.StartsWith(Magic))
            throw ApiException.BadRequest("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        if (depth > ProtobufObjectReader.MaxDepth)
            throw ProtobufObjectReader.Malformed($"objects are nested more than {ProtobufObjectReader.MaxDepth} levels deep");
        try
        {
            var envelope = body[Magic.Length..].ToArray();
            return ReadEnvelope(new CodedInputStream(envelope), envelope.Length, depth);
        }
        // Google.Protobuf reports malformed input mostly as InvalidProtocolBufferException, a few states as
        // InvalidOperationException; all of them are the client's fault.
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidOperationException or ArgumentException
                                      or FormatException or OverflowException or JsonException)
        {
            throw ProtobufObjectReader.Malformed(e.Message);
        }
    }

    private static JsonObject ReadEnvelope(CodedInputStream input, long end, int depth)
    {
        var schema = ProtoSchema.Instance;
        var unknown = schema.Unknown;
        var typeMetaField = unknown.Named("typeMeta");
        var rawField = unknown.Named("raw");
        var encodingField = unknown.Named("contentEncoding");
        var reader = new ProtobufObjectReader(input);
        JsonObject? typeMeta = null;
        var raw = ByteString.Empty;
        var encoding = "";
        while (input.Position < end)
        {
            var tag = reader.ReadTag();
            var number = WireFormat.GetTagFieldNumber(tag);
            var wireType = WireFormat.GetTagWireType(tag);
            if (number == typeMetaField.Number)
                typeMeta = reader.ReadValue(typeMetaField, wireType, end, depth, keepZero: true, out _) as JsonObject;
            else if (number == rawField.Number)
            {
                ProtobufObjectReader.ExpectWireType(rawField, wireType);
                raw = input.ReadBytes();
            }
            else if (number == encodingField.Number)
            {
                ProtobufObjectReader.ExpectWireType(encodingField, wireType);
                encoding = input.ReadString();
            }
            else input.SkipLastField();
        }
        if (encoding.Length > 0)
            throw ApiException.BadRequest($"protobuf bodies with content encoding \"{encoding}\" are not supported");
        var apiVersion = Text(typeMeta?["apiVersion"]);
        var kind = Text(typeMeta?["kind"]);
        if (kind.Length == 0) throw ApiException.BadRequest("Object 'Kind' is missing in the protobuf body");
        var message = schema.FindKind(apiVersion, kind)
            ?? throw ApiException.BadRequest($"no kind \"{kind}\" is registered for version \"{apiVersion}\" in protobuf");

        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        var objectInput = raw.CreateCodedInput();
        var objectReader = new ProtobufObjectReader(objectInput);
        objectReader.ReadFields(message, result, objectReader.Position + raw.Length, depth + 1);
        return result;
    }

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : "";
}
