using System.Text.Json.Nodes;

namespace Gantry.Api.Validation;

/// <summary>
/// Equality of JSON values as Kubernetes' semantic equality sees the decoded objects: absent, null, empty strings and
/// empty lists are the same (Go zero values).
/// </summary>
public static class JsonSemantics
{
    /// <summary>Whether two values are semantically equal.</summary>
    public static bool Equal(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(Normalize(a), Normalize(b));

    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                    if (Normalize(value) is { } normalized) result[key] = normalized;
                return result;
            case JsonArray array:
                if (array.Count == 0) return null;
                var items = new JsonArray();
                foreach (var item in array) items.Add(Normalize(item));
                return items;
            case JsonValue value when JsonRead.AsString(value) is "":
                return null;
            default:
                return node?.DeepClone();
        }
    }
}
