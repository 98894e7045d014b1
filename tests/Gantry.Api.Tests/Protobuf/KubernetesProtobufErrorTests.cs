using Gantry.Api.Protobuf;
using Xunit;
using static Gantry.Api.Tests.Protobuf.ProtoWriter;

namespace Gantry.Api.Tests.Protobuf;

/// <summary>Every malformed or unsupported body is a 400 BadRequest with a message that says why.</summary>
public sealed class KubernetesProtobufErrorTests
{
    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'k', (byte)'8', (byte)'s' })]
    [InlineData(new byte[] { (byte)'{', (byte)'}' })]
    public void Decode_WithoutMagicPrefix_IsBadRequest(byte[] body) =>
        ProtobufAssert.IsBadRequest(body, "expected prefix [107 56 115 0]");

    [Fact]
    public void Decode_MagicOnly_ReportsMissingKind() =>
        ProtobufAssert.IsBadRequest("k8s\0"u8.ToArray(), "Object 'Kind' is missing");

    [Fact]
    public void Decode_UnknownKind_NamesKindAndVersion() =>
        ProtobufAssert.IsBadRequest(Body("apps/v1", "Gizmo", new ProtoWriter()), "no kind \"Gizmo\" is registered for version \"apps/v1\"");

    [Fact]
    public void Decode_BetaVersion_IsNotServed() =>
        ProtobufAssert.IsBadRequest(Body("policy/v1beta1", "Eviction", new ProtoWriter()), "no kind \"Eviction\"");

    [Fact]
    public void Decode_ContentEncoding_IsNotSupported()
    {
        byte[] body = [.. "k8s\0"u8, .. new ProtoWriter()
            .Message(1, t => t.String(1, "v1").String(2, "Namespace")).Bytes(2, []).String(3, "gzip").ToArray()];

        ProtobufAssert.IsBadRequest(body, "content encoding \"gzip\"");
    }

    [Fact]
    public void Decode_WrongWireType_NamesTheField() =>
        ProtobufAssert.IsBadRequest(Body("v1", "Namespace", n => n.Varint(1, 3)), "field metadata (number 1) has wire type Varint");

    [Fact]
    public void Decode_LengthPastEnclosingMessage_IsBadRequest()
    {
        // metadata claims 100 bytes but the object has 2.
        var body = Body("v1", "Namespace", new ProtoWriter().Raw(0x0a, 100, 0x0a, 0x00));

        ProtobufAssert.IsBadRequest(body, "runs past the end");
    }

    [Fact]
    public void Decode_IntOrStringWithUnknownType_IsBadRequest()
    {
        var body = Body("v1", "Service", s => s.Message(2, spec => spec.Message(1, p => p.Message(4, i => i.Varint(1, 2)))));

        ProtobufAssert.IsBadRequest(body, "IntOrString has type 2");
    }

    [Fact]
    public void Decode_TimeBeyondYear9999_IsBadRequest()
    {
        var body = Body("v1", "Namespace", n => n.Message(1, m => m.Message(9, t => t.Varint(1, long.MaxValue / 2))));

        ProtobufAssert.IsBadRequest(body, "outside years 1 to 9999");
    }

    [Fact]
    public void Decode_EmbeddedObjectThatIsNeitherJsonNorProtobuf_IsBadRequest()
    {
        var body = Body("apps/v1", "ControllerRevision", r => r.Message(2, d => d.Bytes(1, "not json"u8.ToArray())));

        ProtobufAssert.IsBadRequest(body, "neither JSON nor protobuf");
    }

    [Fact]
    public void Decode_DeeplyNestedEmbeddedObjects_StopsAtTheDepthLimit()
    {
        var body = Body("v1", "ConfigMap", new ProtoWriter());
        for (var level = 0; level < 300; level++)
            body = Body("apps/v1", "ControllerRevision", r => r.Message(2, d => d.Bytes(1, body)));

        ProtobufAssert.IsBadRequest(body, "nested more than 100 levels");
    }

    [Fact]
    public void Decode_DeeplyNestedUnknownGroups_IsBadRequest()
    {
        var writer = new ProtoWriter();
        for (var level = 0; level < 100_000; level++) writer.Raw(0xe3, 0x05);   // start group 92, never ended

        ProtobufAssert.IsBadRequest(Body("v1", "Namespace", writer), "the protobuf body is invalid");
    }

    [Fact]
    public void Decode_RandomBytesAfterMagic_NeverThrowsAnythingButBadRequest()
    {
        var random = new Random(20241125);
        for (var round = 0; round < 2000; round++)
        {
            var body = new byte[4 + random.Next(0, 64)];
            random.NextBytes(body);
            "k8s\0"u8.CopyTo(body);
            ProtobufAssert.DecodesOrIsBadRequest(body);
        }
    }
}
