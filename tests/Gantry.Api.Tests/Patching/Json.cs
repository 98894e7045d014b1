using System.Text.Json.Nodes;

namespace Gantry.Api.Tests.Patching;

/// <summary>Helpers that keep test bodies short: parse JSON and compare documents structurally.</summary>
internal static class Json
{
    public static JsonObject Object(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonNode? Node(string json) => JsonNode.Parse(json);

    public static void Equal(string expected, JsonNode? actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(expectedNode, actual),
            $"expected {expectedNode?.ToJsonString()}\n  actual {actual?.ToJsonString()}");
    }

    /// <summary>Compares including member order (which matters for lists of merged items).</summary>
    public static void Same(string expected, JsonNode? actual) =>
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), actual?.ToJsonString());
}
