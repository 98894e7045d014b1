using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>
/// Merges an applied configuration into the live object and removes fields, following the list types of
/// <see cref="PatchSchema"/> (structured-merge-diff's Merge and RemoveItems).
/// </summary>
internal static class ApplyMerger
{
    /// <summary>A new object: <paramref name="live"/> with <paramref name="applied"/> merged in.</summary>
    public static JsonObject Merge(JsonObject? live, JsonObject applied, string rootType) =>
        (JsonObject)Merge(live, applied, new PatchField(rootType))!;

    private static JsonNode? Merge(JsonNode? live, JsonNode? applied, PatchField? field)
    {
        switch (live, applied)
        {
            case (JsonObject l, JsonObject a) when field is not { AtomicStruct: true }:
                var merged = (JsonObject)l.DeepClone();
                foreach (var (name, value) in a)
                {
                    // A null in a configuration unsets the field (the typed object has no nulls).
                    if (value is null)
                    {
                        merged.Remove(name);
                        continue;
                    }
                    var current = merged[name];
                    merged.Remove(name);
                    merged[name] = Merge(current, value, PatchSchema.Field(field?.Type, name));
                }
                return merged;
            case (JsonArray l, JsonArray a) when field?.ListType is ApplyListType.Map or ApplyListType.Set:
                return MergeList(l, a, field);
            default:
                return applied?.DeepClone();
        }
    }

    /// <summary>
    /// Merges list items by identity, as structured-merge-diff orders them: items only in the live list keep their
    /// place, items in the applied list follow the applied order, and items in both are merged where the applied
    /// list puts them.
    /// </summary>
    private static JsonArray MergeList(JsonArray live, JsonArray applied, PatchField field)
    {
        var liveOrder = Identify(live, field);
        var appliedOrder = Identify(applied, field);
        var liveByKey = liveOrder.ToDictionary(i => i.Key, i => i.Item);
        var appliedByKey = appliedOrder.ToDictionary(i => i.Key, i => i.Item);
        var shared = new Queue<string>(appliedOrder.Select(i => i.Key).Where(liveByKey.ContainsKey));
        var itemField = field.ListType is ApplyListType.Map ? new PatchField(field.Type, AtomicStruct: field.AtomicStruct) : null;
        var result = new JsonArray();

        JsonNode? MergeItem(string key) =>
            liveByKey.TryGetValue(key, out var l) && appliedByKey.TryGetValue(key, out var a) ? Merge(l, a, itemField)
            : (appliedByKey.TryGetValue(key, out var only) ? only : liveByKey[key])?.DeepClone();

        int li = 0, ri = 0;
        while (li < liveOrder.Count || ri < appliedOrder.Count)
        {
            if (li < liveOrder.Count && ri < appliedOrder.Count)
            {
                var key = liveOrder[li].Key;
                if (key == appliedOrder[ri].Key)
                {
                    result.Add(MergeItem(key));
                    li++;
                    ri++;
                    if (shared.Count > 0 && shared.Peek() == key) shared.Dequeue();
                    continue;
                }
                // A shared item that the applied list wants later is emitted when the applied side reaches it.
                if (appliedByKey.ContainsKey(key) && shared.Count > 0 && shared.Peek() != key)
                {
                    li++;
                    continue;
                }
            }
            if (li < liveOrder.Count && !appliedByKey.ContainsKey(liveOrder[li].Key))
            {
                result.Add(MergeItem(liveOrder[li++].Key));
                continue;
            }
            if (ri < appliedOrder.Count)
            {
                var key = appliedOrder[ri++].Key;
                result.Add(MergeItem(key));
                if (shared.Count > 0 && shared.Peek() == key) shared.Dequeue();
                continue;
            }
            // Only live items the applied list already placed remain.
            li++;
        }
        return result;
    }

    /// <summary>The identified items of a list in order, without duplicates (the first one wins).</summary>
    private static List<(string Key, JsonNode? Item)> Identify(JsonArray list, PatchField field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<(string Key, JsonNode? Item)>();
        foreach (var item in list)
            if (ObjectFields.ItemElement(item, field) is { } key && seen.Add(key)) items.Add((key, item));
        return items;
    }

    /// <summary>Removes every member of <paramref name="fields"/> (with what is below it) from <paramref name="target"/>.</summary>
    public static void Remove(JsonObject target, FieldSet fields, string rootType) =>
        RemoveFrom(target, fields, new PatchField(rootType));

    private static void RemoveFrom(JsonNode container, FieldSet fields, PatchField? field)
    {
        foreach (var (element, child) in fields.Children)
        {
            switch (container)
            {
                case JsonObject o when element.StartsWith("f:", StringComparison.Ordinal):
                    var name = element[2..];
                    if (!o.TryGetPropertyValue(name, out var value)) break;
                    if (child.Member || RemoveBelow(value, child, PatchSchema.Field(field?.Type, name))) o.Remove(name);
                    break;
                case JsonArray a when field is not null && field.ListType is not ApplyListType.Atomic:
                    var index = a.ToList().FindIndex(x => ObjectFields.ItemElement(x, field) == element);
                    if (index < 0) break;
                    if (child.Member) a.RemoveAt(index);
                    else if (a[index] is JsonObject item) RemoveFrom(item, child, new PatchField(field.Type, AtomicStruct: field.AtomicStruct));
                    break;
            }
        }
    }

    /// <summary>
    /// Removes fields below a value; true when that emptied it, so it goes too (a typed Kubernetes object drops
    /// empty maps and lists the same way).
    /// </summary>
    private static bool RemoveBelow(JsonNode? value, FieldSet fields, PatchField? field)
    {
        if (value is not (JsonObject or JsonArray)) return false;
        var wasEmpty = value is JsonObject { Count: 0 } or JsonArray { Count: 0 };
        RemoveFrom(value, fields, field);
        return !wasEmpty && value is JsonObject { Count: 0 } or JsonArray { Count: 0 };
    }
}
