using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Patching;

/// <summary>
/// Strategic merge patch (<c>application/strategic-merge-patch+json</c>) as k8s.io/apimachinery's strategicpatch
/// applies it on the server: lists with a merge key merge item by item, <c>$patch</c>, <c>$retainKeys</c>,
/// <c>$setElementOrder/</c> and <c>$deleteFromPrimitiveList/</c> directives, and null deletes a member. The merge
/// keys come from <see cref="PatchSchema"/>; lists it does not know are replaced whole.
/// </summary>
public static class StrategicMergePatch
{
    internal const string PatchDirective = "$patch";
    internal const string RetainKeysDirective = "$retainKeys";
    internal const string SetElementOrderPrefix = "$setElementOrder/";
    internal const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="original"/> (an object of the given kind).</summary>
    public static JsonObject Apply(JsonObject original, JsonObject patch, string apiVersion, string kind)
    {
        var document = (JsonObject)original.DeepClone();
        // The algorithm consumes the patch as it goes, so it works on its own copy.
        var work = (JsonObject)patch.DeepClone();
        return MergeMap(document, work, PatchSchema.RootType(apiVersion, kind));
    }

    /// <summary>Applies a patch given as JSON text; malformed text is a 400.</summary>
    public static JsonObject Apply(JsonObject original, string patch, string apiVersion, string kind)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(patch);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        return parsed switch
        {
            // Like Go's decoder, a JSON null leaves the patch empty.
            null => (JsonObject)original.DeepClone(),
            JsonObject patchObject => Apply(original, patchObject, apiVersion, kind),
            JsonArray => throw ApiException.BadRequest("json: cannot unmarshal array into Go value of type map[string]interface {}"),
            _ => throw ApiException.BadRequest($"json: cannot unmarshal {parsed.GetValueKind().ToString().ToLowerInvariant()} into Go value of type map[string]interface {{}}"),
        };
    }

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, string? type)
    {
        if (patch.TryGetPropertyValue(PatchDirective, out var directive))
        {
            var name = Text(directive);
            if (name == "replace")
            {
                patch.Remove(PatchDirective);
                PatchValue.TryLiteral(patch, out var replacement);
                return (JsonObject)replacement!;
            }
            if (name == "delete") return [];
            throw BadPatch($"unknown patch type: {name ?? directive?.ToJsonString()} in map: {patch.ToJsonString()}");
        }

        ApplyRetainKeys(original, patch);
        MergeOrderedLists(original, patch, type);

        foreach (var (patchKey, patchValue) in patch.ToList())
        {
            var key = patchKey;
            var deleteList = false;
            if (key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                key = key[DeleteFromPrimitiveListPrefix.Length..];
                deleteList = true;
                if (patchValue is not (null or JsonArray))
                    throw ApiException.BadRequest($"invalid patch: {patchKey} must hold a list");
            }

            if (patchValue is null)
            {
                original.Remove(key);
                continue;
            }
            patch.Remove(patchKey);

            var current = original[key];
            if (!original.ContainsKey(key) || current is null || current.GetValueKind() != patchValue.GetValueKind())
            {
                if (deleteList) continue;
                if (PatchValue.TryLiteral(patchValue, out var literal)) original[key] = literal;
                else original.Remove(key);
                continue;
            }

            var field = PatchSchema.Field(type, key);
            original[key] = (current, patchValue) switch
            {
                (JsonObject o, JsonObject p) => MergeMap(Detach(o), p, field?.Type),
                (JsonArray o, JsonArray p) => MergeListField(Detach(o), p, field, deleteList),
                _ => patchValue,
            };
        }
        return original;
    }

    /// <summary>Handles <c>$retainKeys</c>: members of the original not listed are cleared.</summary>
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.Remove(RetainKeysDirective, out var retain)) return;
        if (retain is not JsonArray list) throw BadPatch("invalid patch format of retainKeys");
        var keep = list.Select(Text).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (value is null || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)) continue;
            if (!keep.Contains(key)) throw BadPatch("invalid patch format of retainKeys");
        }
        foreach (var key in original.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList()) original.Remove(key);
    }

    /// <summary>
    /// Merges every list that has a <c>$setElementOrder/</c> directive together with it, then orders the result:
    /// the directive's order first, server-only items kept where they were relative to it.
    /// </summary>
    private static void MergeOrderedLists(JsonObject original, JsonObject patch, string? type)
    {
        foreach (var (directiveKey, orderNode) in patch.ToList())
        {
            if (!directiveKey.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)) continue;
            patch.Remove(directiveKey);
            if (orderNode is not JsonArray order) throw BadPatch("invalid patch format of setElementOrder list");
            var key = directiveKey[SetElementOrderPrefix.Length..];
            if (key.Length == 0) throw BadPatch("invalid patch format of setElementOrder list");

            var originalList = original[key] as JsonArray;
            var patchList = patch[key] as JsonArray;
            if (original.ContainsKey(key) && originalList is null || patch.ContainsKey(key) && patchList is null)
                throw BadPatch("invalid patch format of setElementOrder list");
            if (originalList is null && patchList is null) continue;

            var field = PatchSchema.Field(type, key);
            var mergeKey = field?.MergeKey;
            if (patchList is not null) ValidateOrder(patchList, order, mergeKey);

            var serverOrder = originalList is null ? [] : originalList.ToList();
            List<JsonNode?> merged;
            if (patchList is null) merged = [.. originalList!];
            else if (originalList is null) merged = PatchValue.LiteralItems(patchList);
            else merged = [.. MergeListField(Detach(originalList), patchList, field, deleteList: false)];

            var ordered = ListOrder.Normalize(merged, order.ToList(), serverOrder, mergeKey);
            foreach (var item in ordered) item?.Parent?.AsArray().Remove(item);
            original[key] = new JsonArray([.. ordered]);
            patch.Remove(key);
        }
    }

    /// <summary>The items of the patch list (deletions aside) must appear in the directive in the same order.</summary>
    private static void ValidateOrder(JsonArray patchList, JsonArray order, string? mergeKey)
    {
        var items = patchList.Where(i => !(mergeKey is not null && i is JsonObject o && Text(o[PatchDirective]) == "delete")).ToList();
        var p = 0;
        for (var s = 0; p < items.Count && s < order.Count; s++)
        {
            if (items[p] is JsonObject o && o.ContainsKey(PatchDirective))
            {
                p++;
                s--;
                continue;
            }
            if (ListOrder.SameItem(items[p], order[s], mergeKey)) p++;
        }
        if (p < items.Count)
            throw BadPatch($"The order in patch list:\n{patchList.ToJsonString()}\n doesn't match $setElementOrder list:\n{order.ToJsonString()}\n");
    }

    private static JsonArray MergeListField(JsonArray original, JsonArray patch, PatchField? field, bool deleteList)
    {
        if (field is not { StrategicMerge: true }) return new JsonArray([.. PatchValue.LiteralItems(patch)]);
        if (original.Count == 0 && patch.Count == 0) return original;

        var kind = ElementKind(original, patch);
        List<JsonNode?> merged;
        var patchItems = patch.ToList();
        var serverOrder = original.ToList();
        if (kind != JsonValueKind.Object)
        {
            if (deleteList)
                return new JsonArray([.. Detached(original.Where(i => !patchItems.Any(d => JsonNode.DeepEquals(d, i))))]);
            merged = [];
            foreach (var item in serverOrder.Concat(patchItems))
                if (!merged.Any(m => JsonNode.DeepEquals(m, item))) merged.Add(item);
            return new JsonArray([.. Detached(ListOrder.Normalize(merged, patchItems, serverOrder, null))]);
        }

        var mergeKey = field.MergeKey ?? throw BadPatch("cannot merge lists without merge key");
        var (items, plain) = ApplySpecialItems(serverOrder, patchItems, mergeKey);
        serverOrder = [.. items];
        // Merging consumes the patch items, so their identities are kept aside for ordering.
        var patchOrder = plain.Select(p => p?.DeepClone()).ToList();
        merged = items;
        foreach (var node in plain)
        {
            var item = (JsonObject)node!;
            if (!item.TryGetPropertyValue(mergeKey, out var keyValue))
                throw BadPatch($"map: {item.ToJsonString()} does not contain declared merge key: {mergeKey}");
            var index = merged.FindIndex(m => m is JsonObject o && o.TryGetPropertyValue(mergeKey, out var v) && JsonNode.DeepEquals(v, keyValue));
            if (index >= 0) merged[index] = MergeMap(Detach((JsonObject)merged[index]!), item, field.Type);
            else merged.Add(MergeMap([], item, field.Type));
        }
        var ordered = ListOrder.Normalize(merged, patchOrder, serverOrder, mergeKey);
        return new JsonArray([.. Detached(ordered)]);
    }

    /// <summary>
    /// Applies <c>$patch</c> items of a merging list: <c>delete</c> removes matching items, <c>replace</c> makes the
    /// rest of the patch list the whole list. Returns the remaining original items and the plain patch items.
    /// </summary>
    private static (List<JsonNode?> Items, List<JsonNode?> Plain) ApplySpecialItems(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var plain = new List<JsonNode?>();
        var replace = false;
        foreach (var node in patch)
        {
            if (node is not JsonObject item) throw BadPatch($"expected a map[string]interface {{}}, but received {node?.ToJsonString() ?? "null"}");
            if (!item.TryGetPropertyValue(PatchDirective, out var directive))
            {
                plain.Add(item);
                continue;
            }
            switch (Text(directive))
            {
                case "delete":
                    if (!item.TryGetPropertyValue(mergeKey, out var keyValue))
                        throw BadPatch($"map: {item.ToJsonString()} does not contain declared merge key: {mergeKey}");
                    original = [.. original.Where(o => !(o is JsonObject m && m.TryGetPropertyValue(mergeKey, out var v) && JsonNode.DeepEquals(v, keyValue)))];
                    break;
                case "replace":
                    replace = true;
                    break;
                case "merge":
                    throw BadPatch("merging lists cannot yet be specified in the patch");
                default:
                    throw BadPatch($"unknown patch type: {Text(directive)} in map: {item.ToJsonString()}");
            }
        }
        return replace ? (PatchValue.LiteralItems(new JsonArray([.. plain.Select(p => p!.DeepClone())])), []) : (original, plain);
    }

    private static JsonValueKind ElementKind(JsonArray original, JsonArray patch)
    {
        JsonValueKind? kind = null;
        foreach (var item in original.Concat(patch))
        {
            var itemKind = item?.GetValueKind() ?? JsonValueKind.Null;
            if (itemKind == JsonValueKind.Array) throw new ApiException(422, "Invalid", "the server rejected our request due to an error in our request", new JsonObject());
            var comparable = itemKind is JsonValueKind.True or JsonValueKind.False ? JsonValueKind.True : itemKind;
            if (kind is not null && kind != comparable) throw BadPatch("list element types are not identical");
            kind = comparable;
        }
        return kind ?? JsonValueKind.Null;
    }

    private static T Detach<T>(T node) where T : JsonNode
    {
        switch (node.Parent)
        {
            case JsonObject parent:
                parent.Remove(node.GetPropertyName());
                break;
            case JsonArray parent:
                parent.Remove(node);
                break;
        }
        return node;
    }

    private static IEnumerable<JsonNode?> Detached(IEnumerable<JsonNode?> items) =>
        items.ToList().Select(i => i is null ? null : Detach(i));

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Malformed strategic merge patches are the client's fault.</summary>
    private static ApiException BadPatch(string message) => ApiException.BadRequest(message);
}
