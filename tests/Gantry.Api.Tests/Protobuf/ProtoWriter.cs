using Google.Protobuf;

namespace Gantry.Api.Tests.Protobuf;

/// <summary>
/// Writes protobuf messages field by field (numbers from the Kubernetes generated.proto files) so tests can
/// build bodies kubectl would send without going through the decoder's own table.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream buffer = new();
    private readonly CodedOutputStream output;

    public ProtoWriter() => output = new CodedOutputStream(buffer, leaveOpen: true);

    public ProtoWriter String(int number, string value)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        return this;
    }

    public ProtoWriter Bytes(int number, byte[] value)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoWriter Varint(int number, long value)
    {
        output.WriteTag(number, WireFormat.WireType.Varint);
        output.WriteInt64(value);
        return this;
    }

    public ProtoWriter Bool(int number, bool value)
    {
        output.WriteTag(number, WireFormat.WireType.Varint);
        output.WriteBool(value);
        return this;
    }

    public ProtoWriter Double(int number, double value)
    {
        output.WriteTag(number, WireFormat.WireType.Fixed64);
        output.WriteDouble(value);
        return this;
    }

    public ProtoWriter Message(int number, ProtoWriter message) => Bytes(number, message.ToArray());

    public ProtoWriter Message(int number, Func<ProtoWriter, ProtoWriter> build) => Message(number, build(new ProtoWriter()));

    /// <summary>A map entry {key = 1, value = 2} with a string value.</summary>
    public ProtoWriter Entry(int number, string key, string value) => Message(number, e => e.String(1, key).String(2, value));

    /// <summary>A map entry {key = 1, value = 2} with a message value.</summary>
    public ProtoWriter Entry(int number, string key, Func<ProtoWriter, ProtoWriter> value) => Message(number, e => e.String(1, key).Message(2, value));

    /// <summary>Raw bytes appended as they are (for malformed input).</summary>
    public ProtoWriter Raw(params byte[] bytes)
    {
        output.Flush();
        buffer.Write(bytes);
        return this;
    }

    public byte[] ToArray()
    {
        output.Flush();
        return buffer.ToArray();
    }

    /// <summary>A whole request body: "k8s\0", then runtime.Unknown {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2}.</summary>
    public static byte[] Body(string apiVersion, string kind, ProtoWriter obj) =>
        [.. "k8s\0"u8, .. new ProtoWriter()
            .Message(1, t => t.String(1, apiVersion).String(2, kind))
            .Bytes(2, obj.ToArray())
            .String(3, "")
            .String(4, "")
            .ToArray()];

    public static byte[] Body(string apiVersion, string kind, Func<ProtoWriter, ProtoWriter> build) => Body(apiVersion, kind, build(new ProtoWriter()));

    /// <summary>Metadata as kubectl writes it: every Go value field, the zero Time as an empty message.</summary>
    public static ProtoWriter Metadata(string name, string ns = "") => new ProtoWriter()
        .String(1, name).String(2, "").String(3, ns).String(4, "").String(5, "").String(6, "")
        .Varint(7, 0).Message(8, new ProtoWriter());
}
