using System.Text.Json.Nodes;
using Gantry.Api.Conversion;

namespace Gantry.Api.Tests.Conversion;

public sealed class EventConversionTests
{
    private const string Core = """
        {"kind":"Event","apiVersion":"v1","metadata":{"name":"web.1","namespace":"default"},
         "involvedObject":{"kind":"Pod","namespace":"default","name":"web"},"reason":"Pulled","message":"pulled image",
         "source":{"component":"kubelet","host":"n1"},"firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2026-01-01T00:01:00Z",
         "count":2,"type":"Normal","reportingComponent":"kubelet","reportingInstance":"n1"}
        """;

    [Fact]
    public void ToEventsV1_RenamesTheLegacyFields()
    {
        var events = EventConversion.ToEventsV1(JsonNode.Parse(Core)!.AsObject());

        Assert.Equal("""
            {"kind":"Event","apiVersion":"events.k8s.io/v1","metadata":{"name":"web.1","namespace":"default"},"eventTime":null,
            "reportingController":"kubelet","reportingInstance":"n1","reason":"Pulled","regarding":{"kind":"Pod","namespace":"default","name":"web"},
            "note":"pulled image","type":"Normal","deprecatedSource":{"component":"kubelet","host":"n1"},
            "deprecatedFirstTimestamp":"2026-01-01T00:00:00Z","deprecatedLastTimestamp":"2026-01-01T00:01:00Z","deprecatedCount":2}
            """.Replace("\n", "").Replace("\r", ""), events.ToJsonString());
    }

    [Fact]
    public void ToCoreV1_RoundTripsTheFields()
    {
        var core = JsonNode.Parse(Core)!.AsObject();

        var back = EventConversion.ToCoreV1(EventConversion.ToEventsV1(core));

        foreach (var (name, value) in core) Assert.True(JsonNode.DeepEquals(value, back[name]), name);
        Assert.Null(back["eventTime"]);
    }

    [Fact]
    public void ToCoreV1_FillsTheFieldsCoreAlwaysSerializes()
    {
        var core = EventConversion.ToCoreV1(JsonNode.Parse("""{"metadata":{"name":"e"},"eventTime":"2026-01-01T00:00:00.000000Z","note":"hi","series":{"count":3}}""")!.AsObject());

        Assert.Equal("""
            {"kind":"Event","apiVersion":"v1","metadata":{"name":"e"},"involvedObject":{},"message":"hi","source":{},"firstTimestamp":null,
            "lastTimestamp":null,"eventTime":"2026-01-01T00:00:00.000000Z","series":{"count":3},"reportingComponent":"","reportingInstance":""}
            """.Replace("\n", "").Replace("\r", ""), core.ToJsonString());
    }
}
