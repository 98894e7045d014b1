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
}
