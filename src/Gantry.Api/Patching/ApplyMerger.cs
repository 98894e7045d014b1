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
    /// Merges list items by identity: shared items follow the applied order, live-only items stay where they were,
    /// applied-only items are inserted where the applied list has them.
    /// </summary>
    private static JsonArray MergeList(JsonArray live, JsonArray applied, PatchField field)
    {
        var liveItems = Identify(live, field);
        var appliedItems = Identify(applied, field);
        var liveKeys = liveItems.Select(i => i.Key).ToHashSet();
        var appliedByKey = appliedItems.GroupBy(i => i.Key).ToDictionary(g => g.Key, g => g.First().Item);
        var liveByKey = liveItems.GroupBy(i => i.Key).ToDictionary(g => g.Key, g => g.First().Item);
        var itemField = field.ListType is ApplyListType.Map ? new PatchField(field.Type, AtomicStruct: field.AtomicStruct) : null;

        var result = new JsonArray();
        var emitted = new HashSet<string>();
        void Emit(string key)
        {
            if (!emitted.Add(key)) return;
            var hasLive = liveByKey.TryGetValue(key, out var l);
            var hasApplied = appliedByKey.TryGetValue(key, out var a);
            result.Add(hasLive && hasApplied ? Merge(l, a, itemField) : (hasApplied ? a : l)?.DeepClone());
        }

        int i = 0, j = 0;
        while (i < liveItems.Count || j < appliedItems.Count)
        {
            if (i < liveItems.Count && emitted.Contains(liveItems[i].Key)) i++;
            else if (j < appliedItems.Count && emitted.Contains(appliedItems[j].Key)) j++;
            else if (j >= appliedItems.Count) Emit(liveItems[i++].Key);
            else if (i >= liveItems.Count) Emit(appliedItems[j++].Key);
            else if (liveItems[i].Key == appliedItems[j].Key)
            {
                Emit(liveItems[i].Key);
                i++;
                j++;
            }
            else if (!appliedByKey.ContainsKey(liveItems[i].Key)) Emit(liveItems[i++].Key);
            else if (!liveKeys.Contains(appliedItems[j].Key)) Emit(appliedItems[j++].Key);
            else Emit(appliedItems[j++].Key);
        }
        return result;
    }

    private static List<(string Key, JsonNode? Item)> Identify(JsonArray list, PatchField field) =>
        [.. list.Select(item => (Key: ObjectFields.ItemElement(item, field), Item: item))
            .Where(x => x.Key is not null)
            .Select(x => (x.Key!, x.Item))];

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
                    if (child.Member) o.Remove(name);
                    else if (value is JsonObject or JsonArray) RemoveFrom(value, child, PatchSchema.Field(field?.Type, name));
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
}
