using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer.Tests.Unit;

public sealed class ResourceVersionStampTests
{
    [Theory]
    [InlineData("""{"kind":"ConfigMap","metadata":{"name":"a"},"data":{"metadata":{}}}""")]
    [InlineData("""{"kind":"ConfigMap","metadata":{},"data":{}}""")]
    [InlineData("""{"kind":"ConfigMap"}""")]
    [InlineData("""{}""")]
    [InlineData("""{"spec":{"template":{"metadata":{"labels":{"a":"b"}}}},"metadata":{ "name":"x"}}""")]
    public void Apply_SetsTheTopLevelResourceVersionOnly(string stored)
    {
        var stamped = Encoding.UTF8.GetString(ResourceVersionStamp.Apply(Encoding.UTF8.GetBytes(stored), 42));
        var obj = JsonNode.Parse(stamped)!;
        Assert.Equal("42", (string?)obj["metadata"]!["resourceVersion"]);
        var original = JsonNode.Parse(stored)!.AsObject();
        obj["metadata"]!.AsObject().Remove("resourceVersion");
        if (original["metadata"] is null) obj.AsObject().Remove("metadata");
        Assert.True(JsonNode.DeepEquals(original, obj), stamped);
        Assert.Null(obj["data"]?["metadata"]?["resourceVersion"]);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"a"}}""", 1L)]
    [InlineData("""{"metadata":{}}""", 9L)]
    [InlineData("""{"metadata":{"name":"a"}}""", 10L)]
    [InlineData("""{"kind":"X","metadata":{ "name":"a"},"data":{}}""", 123456789L)]
    [InlineData("""{"metadata":{}}""", long.MaxValue)]
    public void StampedLengthAndWrite_MatchApply(string stored, long revision)
    {
        var bytes = Encoding.UTF8.GetBytes(stored);
        var applied = ResourceVersionStamp.Apply(bytes, revision);
        var at = StoredObjectScan.InsertPointOf(bytes);
        var written = new ArrayBufferWriter<byte>();

        ResourceVersionStamp.Write(written, bytes, revision, at.InsertAt, at.MetadataEmpty);

        Assert.Equal(applied.Length, ResourceVersionStamp.StampedLength(bytes.Length, revision, at.MetadataEmpty));
        Assert.Equal(applied, written.WrittenSpan.ToArray());
    }

    [Fact]
    public void Scan_SharesNamespaceAndLabelStrings_AcrossObjects()
    {
        var first = StoredObjectScan.Of("""{"metadata":{"name":"a","namespace":"team-x","labels":{"app":"web"}}}"""u8);
        var second = StoredObjectScan.Of("""{"metadata":{"name":"b","namespace":"team-x","labels":{"app":"web"}}}"""u8);

        Assert.Equal("team-x", second.Namespace);
        Assert.Same(first.Namespace, second.Namespace);
        Assert.Same(first.Labels![0].Key, second.Labels![0].Key);
        Assert.Same(first.Labels[0].Value, second.Labels[0].Value);
        Assert.NotSame(first.Name, second.Name);
    }
}
