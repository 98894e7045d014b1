using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>
/// Turns part of a strategic merge patch that has nothing to merge with into a plain value: null members are
/// dropped, objects carrying <c>$patch</c> vanish, and directive members are removed (Kubernetes drops them when it
/// decodes the result into its typed object; a generic server has to do it itself).
/// </summary>
internal static class PatchValue
{
    /// <summary>A detached, directive-free copy of <paramref name="node"/>; false when the value must be left out.</summary>
    public static bool TryLiteral(JsonNode? node, out JsonNode? literal)
    {
        literal = null;
        switch (node)
        {
            case null:
                return true;
            case JsonObject o:
                if (o.ContainsKey(StrategicMergePatch.PatchDirective)) return false;
                var copy = new JsonObject();
                foreach (var (key, value) in o)
                {
                    if (value is null || IsDirective(key)) continue;
                    if (TryLiteral(value, out var child)) copy[key] = child;
                }
                literal = copy;
                return true;
            case JsonArray a:
                literal = new JsonArray([.. LiteralItems(a)]);
                return true;
            default:
                literal = node.DeepClone();
                return true;
        }
    }

    /// <summary>The literal items of a patch list, without the items that carry <c>$patch</c>.</summary>
    public static List<JsonNode?> LiteralItems(JsonArray list)
    {
        var items = new List<JsonNode?>(list.Count);
        foreach (var item in list)
            if (TryLiteral(item, out var literal)) items.Add(literal);
        return items;
    }

    /// <summary>True for the member names that are patch directives rather than data.</summary>
    public static bool IsDirective(string key) =>
        key == StrategicMergePatch.RetainKeysDirective
        || key.StartsWith(StrategicMergePatch.SetElementOrderPrefix, StringComparison.Ordinal)
        || key.StartsWith(StrategicMergePatch.DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);
}
