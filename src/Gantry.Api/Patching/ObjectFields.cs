using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Patching;

/// <summary>
/// Schema-aware walks over objects for server-side apply: the set of fields an object sets, and the fields that
/// differ between two objects (structured-merge-diff's ToFieldSet and Compare).
/// </summary>
internal static class ObjectFields
{
    /// <summary>The differences between two versions of an object.</summary>
    public sealed record Comparison(FieldSet Added, FieldSet Modified, FieldSet Removed);

    /// <summary>The set of fields <paramref name="value"/> sets: leaves, empty objects, atomic values and list items.</summary>
    public static FieldSet Of(JsonObject value, string rootType, bool strict)
    {
        var set = new FieldSet();
        VisitMembers(value, rootType, [], set, strict);
        return set;
    }

    // The walk holds the node of the parent path and creates a child only when something is added at or below it (a
    // node left empty is pruned), instead of inserting every leaf's whole path from the root. The path itself serves
    // only the error messages.
    private static void Visit(JsonNode? value, PatchField? field, List<string> path, FieldSet parent, bool strict)
    {
        var element = path[^1];
        switch (value)
        {
            case JsonObject o when o.Count > 0 && field is not { AtomicStruct: true }:
                VisitMembers(o, field?.Type, path, parent.Child(element), strict);
                parent.Prune(element);
                break;
            case JsonArray a when field?.ListType is ApplyListType.Map:
                var items = parent.Child(element);
                for (var i = 0; i < a.Count; i++)
                {
                    var key = PathElement.Key(a[i], field.Keys);
                    if (key is null)
                    {
                        if (!strict) continue;
                        throw ApiException.BadRequest($"{PathElement.Display(path)}: element {i}: associative list with keys has an element that omits key field \"{field.Keys[0]}\" (and doesn't have default value)");
                    }
                    var item = items.Add(key);
                    if (a[i] is not JsonObject o || field.AtomicStruct) continue;
                    path.Add(key);
                    VisitMembers(o, field.Type, path, item, strict);
                    path.RemoveAt(path.Count - 1);
                }
                parent.Prune(element);
                break;
            case JsonArray a when field?.ListType is ApplyListType.Set:
                var values = parent.Child(element);
                foreach (var item in a) values.Add(PathElement.Value(item));
                parent.Prune(element);
                break;
            default:
                parent.Add(element);
                break;
        }
    }

    private static void VisitMembers(JsonObject o, string? type, List<string> path, FieldSet node, bool strict)
    {
        foreach (var (name, child) in o)
        {
            path.Add(PathElement.Field(name));
            Visit(child, PatchSchema.Field(type, name), path, node, strict);
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>What changed from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static Comparison Compare(JsonObject? before, JsonObject after, string rootType)
    {
        var comparison = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
        Compare(before is not null, before, true, after, new PatchField(rootType), [], comparison);
        return comparison;
    }

    private static void Compare(bool hasLeft, JsonNode? left, bool hasRight, JsonNode? right, PatchField? field, List<string> path, Comparison result)
    {
        // Most writes change one top-level member (a status write leaves metadata and spec as they were): an equal
        // member holds no difference, and comparing it as a whole is much cheaper than walking it field by field.
        if (path.Count == 1 && hasLeft && hasRight && (JsonText.Same(left, right) || JsonNode.DeepEquals(left, right))) return;
        if (IsLeaf(hasLeft, left, hasRight, right, field))
        {
            if (!hasLeft) result.Added.Insert(path);
            else if (!hasRight) result.Removed.Insert(path);
            else if (!JsonNode.DeepEquals(left, right)) result.Modified.Insert(path);
            return;
        }

        if ((left ?? right) is JsonObject)
        {
            var l = left as JsonObject;
            var r = right as JsonObject;
            foreach (var name in Names(l, r))
            {
                path.Add(PathElement.Field(name));
                JsonNode? lv = null, rv = null;
                var hl = l is not null && l.TryGetPropertyValue(name, out lv);
                var hr = r is not null && r.TryGetPropertyValue(name, out rv);
                Compare(hl, lv, hr, rv, PatchSchema.Field(field?.Type, name), path, result);
                path.RemoveAt(path.Count - 1);
            }
        }
        else
        {
            var l = Index(left as JsonArray, field!);
            var r = Index(right as JsonArray, field!);
            var itemField = field!.ListType is ApplyListType.Map ? new PatchField(field.Type, AtomicStruct: field.AtomicStruct) : null;
            foreach (var key in l.Keys.Concat(r.Keys).Distinct())
            {
                path.Add(key);
                var hl = l.TryGetValue(key, out var lv);
                var hr = r.TryGetValue(key, out var rv);
                Compare(hl, lv, hr, rv, itemField, path, result);
                path.RemoveAt(path.Count - 1);
            }
        }
        // The object itself is never a field.
        if (path.Count == 0) return;
        if (!hasLeft) result.Added.Insert(path);
        else if (!hasRight) result.Removed.Insert(path);
    }

    /// <summary>Values compared as a whole: scalars, nulls, type changes, atomic values and empty objects.</summary>
    private static bool IsLeaf(bool hasLeft, JsonNode? left, bool hasRight, JsonNode? right, PatchField? field)
    {
        if (hasLeft && left is not (JsonObject or JsonArray)) return true;
        if (hasRight && right is not (JsonObject or JsonArray)) return true;
        if (hasLeft && hasRight && left!.GetValueKind() != right!.GetValueKind()) return true;
        var sample = left ?? right;
        if (sample is JsonObject)
            return field is { AtomicStruct: true } || (left is not JsonObject { Count: > 0 } && right is not JsonObject { Count: > 0 });
        return field?.ListType is not (ApplyListType.Map or ApplyListType.Set);
    }

    /// <summary>The member names of both objects, each once: the left's in order, then those only the right has.</summary>
    private static IEnumerable<string> Names(JsonObject? left, JsonObject? right)
    {
        if (left is not null)
            foreach (var (name, _) in left) yield return name;
        if (right is null) yield break;
        foreach (var (name, _) in right)
            if (left is null || !left.ContainsKey(name)) yield return name;
    }

    /// <summary>The items of an associative list or set by path element (the first of duplicates wins).</summary>
    public static Dictionary<string, JsonNode?> Index(JsonArray? list, PatchField field)
    {
        var items = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (list is null) return items;
        foreach (var item in list)
            if (ItemElement(item, field) is { } key) items.TryAdd(key, item);
        return items;
    }

    /// <summary>The path element of a list item, or null when the item cannot be identified.</summary>
    public static string? ItemElement(JsonNode? item, PatchField field) =>
        field.ListType is ApplyListType.Map ? PathElement.Key(item, field.Keys) : PathElement.Value(item);
}
