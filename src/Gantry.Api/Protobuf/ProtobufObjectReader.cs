using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Google.Protobuf;

namespace Gantry.Api.Protobuf;

/// <summary>
/// Reads protobuf-encoded Kubernetes messages into JSON, driven by the field table. Sub-messages are read in
/// place (one stream, end positions checked) instead of copied, and nesting is bounded so hostile input
/// cannot exhaust the stack.
/// </summary>
internal sealed class ProtobufObjectReader(CodedInputStream input)
{
    /// <summary>The deepest message nesting accepted; Kubernetes objects need far fewer levels.</summary>
    public const int MaxDepth = 100;

    /// <summary>The current stream position (in the stream's own coordinates).</summary>
    public long Position => input.Position;

    /// <summary>The error for any malformed body.</summary>
    public static ApiException Malformed(string detail) => ApiException.BadRequest($"the protobuf body is invalid: {detail}");

    /// <summary>
    /// Reads the fields of <paramref name="message"/> up to <paramref name="end"/> into <paramref name="target"/>.
    /// A Go value field (not a pointer) is always on the wire, so its zero value is dropped as Go's omitempty
    /// would; <paramref name="keepZeros"/> keeps them for the small apimachinery types that need every part.
    /// </summary>
    public void ReadFields(ProtoMessage message, JsonObject target, long end, int depth, bool keepZeros = false)
    {
        if (depth > MaxDepth) throw Malformed($"objects are nested more than {MaxDepth} levels deep");
        while (input.Position < end)
        {
            var tag = ReadTag();
            var wireType = WireFormat.GetTagWireType(tag);
            var field = message.Find(WireFormat.GetTagFieldNumber(tag));
            if (field is null) input.SkipLastField();
            else if (field.Type == ProtoFieldType.Map) ReadMapEntry(field, target, wireType, end, depth);
            else if (field.Repeated) ReadRepeated(field, target, wireType, end, depth);
            else if (field.Inline) ReadInline(field, target, wireType, end, depth);
            else
            {
                var keep = field.Pointer || keepZeros;
                var value = ReadValue(field, wireType, end, depth, keep, out var zero);
                if (zero && !keep) target.Remove(field.JsonName);
                else target[field.JsonName] = value;
            }
            if (input.Position > end) throw Malformed($"a field of {message.Name} runs past the end of the message");
        }
    }

    /// <summary>
    /// Reads one occurrence of a field (or one element of a repeated one). A zero scalar sets
    /// <paramref name="zero"/> and, unless <paramref name="keepZero"/>, returns null without building a node.
    /// </summary>
    public JsonNode? ReadValue(ProtoField field, WireFormat.WireType wireType, long end, int depth, bool keepZero, out bool zero)
    {
        ExpectWireType(field, wireType);
        switch (field.Type)
        {
            case ProtoFieldType.String:
                var text = input.ReadString();
                zero = text.Length == 0;
                return zero && !keepZero ? null : JsonValue.Create(text);
            case ProtoFieldType.Bytes:
                var bytes = input.ReadBytes();
                zero = bytes.IsEmpty;
                return zero && !keepZero ? null : JsonValue.Create(bytes.ToBase64());
            case ProtoFieldType.Bool:
                var flag = input.ReadBool();
                zero = !flag;
                return zero && !keepZero ? null : JsonValue.Create(flag);
            case ProtoFieldType.Int32: return Number(input.ReadInt32(), keepZero, out zero);
            case ProtoFieldType.SInt32: return Number(input.ReadSInt32(), keepZero, out zero);
            case ProtoFieldType.SFixed32: return Number(input.ReadSFixed32(), keepZero, out zero);
            case ProtoFieldType.Enum: return Number(input.ReadEnum(), keepZero, out zero);
            case ProtoFieldType.Int64: return Number(input.ReadInt64(), keepZero, out zero);
            case ProtoFieldType.SInt64: return Number(input.ReadSInt64(), keepZero, out zero);
            case ProtoFieldType.SFixed64: return Number(input.ReadSFixed64(), keepZero, out zero);
            case ProtoFieldType.UInt32: return Number(input.ReadUInt32(), keepZero, out zero);
            case ProtoFieldType.Fixed32: return Number(input.ReadFixed32(), keepZero, out zero);
            case ProtoFieldType.UInt64: return Unsigned(input.ReadUInt64(), keepZero, out zero);
            case ProtoFieldType.Fixed64: return Unsigned(input.ReadFixed64(), keepZero, out zero);
            case ProtoFieldType.Double: return Real(input.ReadDouble(), field, keepZero, out zero);
            case ProtoFieldType.Float: return Real(input.ReadFloat(), field, keepZero, out zero);
            default:
                // Go writes a present struct even when it is empty, so a message is never a dropped zero.
                zero = false;
                return ReadMessage(field.Message!, end, depth + 1);
        }
    }

    /// <summary>Reads the next field's tag; the caller knows more bytes belong to the message, so none is truncation.</summary>
    public uint ReadTag()
    {
        var tag = input.ReadTag();
        if (tag == 0) throw Malformed("the body ends in the middle of a message");
        return tag;
    }

    /// <summary>Fails unless the wire type is the one the field's type is encoded with.</summary>
    public static void ExpectWireType(ProtoField field, WireFormat.WireType wireType)
    {
        var expected = WireTypeOf(field.Type);
        if (wireType != expected)
            throw Malformed($"field {field.JsonName} (number {field.Number}) has wire type {wireType}, expected {expected}");
    }

    /// <summary>Reads a length-delimited message that must end within <paramref name="parentEnd"/>.</summary>
    public JsonNode? ReadMessage(ProtoMessage message, long parentEnd, int depth)
    {
        var end = ReadEnd(parentEnd, message.Name);
        if (message.Shape == ProtoMessageShape.RawObject) return ReadRawObject(message, end, depth);
        var parts = new JsonObject();
        if (message.Shape == ProtoMessageShape.Object)
        {
            ReadFields(message, parts, end, depth);
            return parts;
        }
        var empty = input.Position == end;
        ReadFields(message, parts, end, depth, keepZeros: true);
        return ProtoValueShapes.Convert(message.Shape, parts, empty);
    }

    private long ReadEnd(long parentEnd, string what)
    {
        var length = input.ReadLength();
        var end = input.Position + length;
        if (length < 0 || end > parentEnd) throw Malformed($"the length of a {what} runs past the end of its enclosing message");
        return end;
    }

    // RawExtension and FieldsV1 hold an embedded object: JSON, or a nested protobuf envelope.
    private JsonNode? ReadRawObject(ProtoMessage message, long end, int depth)
    {
        JsonNode? result = null;
        while (input.Position < end)
        {
            var tag = ReadTag();
            var field = message.Find(WireFormat.GetTagFieldNumber(tag));
            if (field is not { Type: ProtoFieldType.Bytes })
            {
                input.SkipLastField();
                continue;
            }
            ExpectWireType(field, WireFormat.GetTagWireType(tag));
            var raw = input.ReadBytes();
            result = raw.IsEmpty ? null : ParseEmbedded(raw.Span, depth);
            if (input.Position > end) throw Malformed($"a field of {message.Name} runs past the end of the message");
        }
        return result;
    }

    private static JsonNode? ParseEmbedded(ReadOnlySpan<byte> raw, int depth)
    {
        if (raw.StartsWith(KubernetesProtobuf.Magic)) return KubernetesProtobuf.Decode(raw, depth + 1);
        try
        {
            return JsonNode.Parse(raw);
        }
        catch (JsonException e)
        {
            throw Malformed($"an embedded object is neither JSON nor protobuf: {e.Message}");
        }
    }

    private void ReadInline(ProtoField field, JsonObject target, WireFormat.WireType wireType, long parentEnd, int depth)
    {
        ExpectWireType(field, wireType);
        ReadFields(field.Message!, target, ReadEnd(parentEnd, field.Message!.Name), depth + 1);
    }

    private void ReadRepeated(ProtoField field, JsonObject target, WireFormat.WireType wireType, long end, int depth)
    {
        if (wireType == WireFormat.WireType.LengthDelimited && field.Packable)
        {
            var packedEnd = ReadEnd(end, field.JsonName);
            var elementType = WireTypeOf(field.Type);
            while (input.Position < packedEnd) ListOf(field, target).Add(ReadValue(field, elementType, packedEnd, depth, keepZero: true, out _));
            if (input.Position != packedEnd) throw Malformed($"packed field {field.JsonName} runs past its length");
            return;
        }
        ListOf(field, target).Add(ReadValue(field, wireType, end, depth, keepZero: true, out _));
    }

    private static JsonArray ListOf(ProtoField field, JsonObject target)
    {
        if (target[field.JsonName] is JsonArray list) return list;
        list = [];
        target[field.JsonName] = list;
        return list;
    }

    // A map entry is a small message {key = 1, value = 2}; Go writes every value, zero or not.
    private void ReadMapEntry(ProtoField field, JsonObject target, WireFormat.WireType wireType, long parentEnd, int depth)
    {
        ExpectWireType(field, wireType);
        var entry = field.Message!;
        var end = ReadEnd(parentEnd, entry.Name);
        if (depth + 1 > MaxDepth) throw Malformed($"objects are nested more than {MaxDepth} levels deep");
        var key = "";
        JsonNode? value = null;
        var hasValue = false;
        while (input.Position < end)
        {
            var tag = ReadTag();
            var part = entry.Find(WireFormat.GetTagFieldNumber(tag));
            if (part is null || part.Repeated || part.Type == ProtoFieldType.Map) input.SkipLastField();
            else if (part.JsonName == "key") key = ReadValue(part, WireFormat.GetTagWireType(tag), end, depth + 1, keepZero: true, out _) is JsonValue k ? KeyText(k) : "";
            else
            {
                value = ReadValue(part, WireFormat.GetTagWireType(tag), end, depth + 1, keepZero: true, out _);
                hasValue = true;
            }
            if (input.Position > end) throw Malformed($"a field of {entry.Name} runs past the end of the message");
        }
        if (!hasValue) value = ProtoValueShapes.ZeroOf(entry.Named("value"));
        if (target[field.JsonName] is not JsonObject map)
        {
            map = [];
            target[field.JsonName] = map;
        }
        map[key] = value;
    }

    private static string KeyText(JsonValue key) => key.TryGetValue(out string? text) ? text : key.ToJsonString();

    private static WireFormat.WireType WireTypeOf(ProtoFieldType type) => type switch
    {
        ProtoFieldType.Double or ProtoFieldType.Fixed64 or ProtoFieldType.SFixed64 => WireFormat.WireType.Fixed64,
        ProtoFieldType.Float or ProtoFieldType.Fixed32 or ProtoFieldType.SFixed32 => WireFormat.WireType.Fixed32,
        ProtoFieldType.String or ProtoFieldType.Bytes or ProtoFieldType.Message or ProtoFieldType.Map => WireFormat.WireType.LengthDelimited,
        _ => WireFormat.WireType.Varint,
    };

    private static JsonValue? Number(long value, bool keepZero, out bool zero)
    {
        zero = value == 0;
        return zero && !keepZero ? null : JsonValue.Create(value);
    }

    private static JsonValue? Unsigned(ulong value, bool keepZero, out bool zero)
    {
        zero = value == 0;
        return zero && !keepZero ? null : JsonValue.Create(value);
    }

    private static JsonValue? Real(double value, ProtoField field, bool keepZero, out bool zero)
    {
        if (!double.IsFinite(value)) throw Malformed($"field {field.JsonName} is {value}, which JSON cannot represent");
        zero = value == 0;
        return zero && !keepZero ? null : JsonValue.Create(value);
    }
}
