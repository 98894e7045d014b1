using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>
/// The item order strategic merge patch gives a merged list: items named by the patch (or its
/// <c>$setElementOrder</c>) in the patch's order, server-only items in their live order, the two interleaved by
/// the live order where both are known, and otherwise patch items first.
/// </summary>
internal static class ListOrder
{
    /// <summary>Orders <paramref name="merged"/> by <paramref name="patchOrder"/> and <paramref name="serverOrder"/>.</summary>
    public static List<JsonNode?> Normalize(List<JsonNode?> merged, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string? mergeKey)
    {
        var fromPatch = new List<JsonNode?>();
        var serverOnly = new List<JsonNode?>();
        foreach (var item in merged)
            (IndexOf(patchOrder, item, mergeKey) >= 0 ? fromPatch : serverOnly).Add(item);
        fromPatch = SortBy(fromPatch, patchOrder, mergeKey);
        serverOnly = SortBy(serverOnly, serverOrder, mergeKey);

        var result = new List<JsonNode?>(merged.Count);
        int i = 0, j = 0;
        while (i < serverOnly.Count || j < fromPatch.Count)
        {
            if (j >= fromPatch.Count) result.Add(serverOnly[i++]);
            else if (i >= serverOnly.Count) result.Add(fromPatch[j++]);
            else
            {
                var left = IndexOf(serverOrder, serverOnly[i], mergeKey);
                var right = IndexOf(serverOrder, fromPatch[j], mergeKey);
                // A server-only item goes first only when the live order says it came before the patch item.
                if (left >= 0 && right >= 0 && left < right) result.Add(serverOnly[i++]);
                else result.Add(fromPatch[j++]);
            }
        }
        return result;
    }

    /// <summary>True when two list items are the same item: equal merge key values, or equal values without a key.</summary>
    public static bool SameItem(JsonNode? a, JsonNode? b, string? mergeKey)
    {
        if (mergeKey is null) return JsonNode.DeepEquals(a, b);
        return a is JsonObject x && b is JsonObject y
            && x.TryGetPropertyValue(mergeKey, out var xv) && y.TryGetPropertyValue(mergeKey, out var yv)
            && JsonNode.DeepEquals(xv, yv);
    }

    private static int IndexOf(List<JsonNode?> list, JsonNode? item, string? mergeKey) =>
        list.FindIndex(candidate => SameItem(candidate, item, mergeKey));

    private static List<JsonNode?> SortBy(List<JsonNode?> items, List<JsonNode?> order, string? mergeKey) =>
        [.. items.Select((item, position) => (item, position, rank: IndexOf(order, item, mergeKey)))
            .OrderBy(x => x.rank < 0 ? int.MaxValue : x.rank)
            .ThenBy(x => x.position)
            .Select(x => x.item)];
}
