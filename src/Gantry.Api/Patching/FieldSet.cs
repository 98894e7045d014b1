using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>
/// A set of field paths as server-side apply tracks ownership (structured-merge-diff's fieldpath.Set), stored as the
/// tree that <c>fieldsV1</c> serializes: each node is named by a path element (<c>f:name</c>, <c>k:{...}</c>,
/// <c>v:...</c>, <c>i:N</c>) and is a member of the set itself (<c>"."</c>) and/or the parent of deeper members.
/// </summary>
internal sealed class FieldSet
{
    // Unordered for speed: the element order (which parses keys as JSON) is applied only when a set is listed.
    // Most nodes are leaves: they share one empty dictionary (never written) until a child is added.
    private static readonly Dictionary<string, FieldSet> NoChildren = new(StringComparer.Ordinal);
    private Dictionary<string, FieldSet> _children = NoChildren;

    private Dictionary<string, FieldSet> Writable => ReferenceEquals(_children, NoChildren) ? _children = new(StringComparer.Ordinal) : _children;

    /// <summary>True when the path leading to this node is itself in the set.</summary>
    public bool Member { get; private set; }

    /// <summary>The child nodes by path element, in fieldsV1 order.</summary>
    public IEnumerable<KeyValuePair<string, FieldSet>> Children => Ordered();

    /// <summary>True when the set holds no path.</summary>
    public bool IsEmpty => !Member && _children.Count == 0;

    /// <summary>True when the set has a member at or below the child <paramref name="element"/>.</summary>
    public bool HasChild(string element) => _children.TryGetValue(element, out var child) && !child.IsEmpty;

    /// <summary>Adds a path (a sequence of path elements) to the set.</summary>
    public void Insert(IReadOnlyList<string> path)
    {
        var node = this;
        for (var i = 0; i < path.Count; i++) node = node.Child(path[i]);
        node.Member = true;
    }

    /// <summary>Adds the child <paramref name="element"/> of this node as a member and returns its node.</summary>
    public FieldSet Add(string element)
    {
        var child = Child(element);
        child.Member = true;
        return child;
    }

    /// <summary>Removes the child <paramref name="element"/> when it holds no member (a walk that found nothing below it).</summary>
    public void Prune(string element)
    {
        if (_children.TryGetValue(element, out var child) && child.IsEmpty) _children.Remove(element);
    }

    /// <summary>The node for <paramref name="element"/>, created if missing.</summary>
    public FieldSet Child(string element)
    {
        if (!_children.TryGetValue(element, out var child)) Writable[element] = child = new FieldSet();
        return child;
    }

    /// <summary>Removes a whole subtree (used for the fields that apply never tracks).</summary>
    public void RemoveSubtree(params string[] path)
    {
        var node = this;
        for (var i = 0; i < path.Length - 1; i++)
            if (!node._children.TryGetValue(path[i], out node)) return;
        node._children.Remove(path[^1]);
    }

    /// <summary>A copy holding only the subtree under the top-level <paramref name="element"/>.</summary>
    public FieldSet Only(string element)
    {
        var result = new FieldSet();
        if (_children.TryGetValue(element, out var child)) result.Writable[element] = child.Copy();
        return result;
    }

    /// <summary>True when <paramref name="path"/> is a member.</summary>
    public bool Contains(IReadOnlyList<string> path)
    {
        var node = Find(path);
        return node is { Member: true };
    }

    /// <summary>True when the set has a member strictly below <paramref name="path"/>.</summary>
    public bool HasMembersBelow(IReadOnlyList<string> path)
    {
        var node = Find(path);
        return node is not null && node._children.Values.Any(c => !c.IsEmpty);
    }

    private FieldSet? Find(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var element in path)
            if (!node._children.TryGetValue(element, out node)) return null;
        return node;
    }

    /// <summary>Every member path, parents before children.</summary>
    public IEnumerable<IReadOnlyList<string>> Members()
    {
        var path = new List<string>();
        return Walk(this, path);

        static IEnumerable<IReadOnlyList<string>> Walk(FieldSet node, List<string> path)
        {
            if (node.Member) yield return path.ToArray();
            foreach (var (element, child) in node.Ordered())
            {
                path.Add(element);
                foreach (var member in Walk(child, path)) yield return member;
                path.RemoveAt(path.Count - 1);
            }
        }
    }

    /// <summary>The members of both sets.</summary>
    public FieldSet Union(FieldSet other)
    {
        var result = Copy();
        result.UnionWith(other);
        return result;
    }

    private void UnionWith(FieldSet other)
    {
        Member |= other.Member;
        foreach (var (element, child) in other._children)
            if (!child.IsEmpty) Child(element).UnionWith(child);
    }

    /// <summary>The members of this set that <paramref name="other"/> lacks.</summary>
    public FieldSet Difference(FieldSet other)
    {
        var result = new FieldSet { Member = Member && !other.Member };
        foreach (var (element, child) in _children)
        {
            var rest = other._children.TryGetValue(element, out var theirs) ? child.Difference(theirs) : child.Copy();
            if (!rest.IsEmpty) result.Writable[element] = rest;
        }
        return result;
    }

    /// <summary>Removes the members of <paramref name="other"/> in place: <see cref="Difference"/> without copying the rest.</summary>
    public void ExceptWith(FieldSet other)
    {
        if (other.Member) Member = false;
        foreach (var (element, theirs) in other._children)
        {
            if (!_children.TryGetValue(element, out var child)) continue;
            child.ExceptWith(theirs);
            if (child.IsEmpty) _children.Remove(element);
        }
    }

    /// <summary>The members in both sets.</summary>
    public FieldSet Intersection(FieldSet other)
    {
        var result = new FieldSet { Member = Member && other.Member };
        foreach (var (element, child) in _children)
        {
            if (!other._children.TryGetValue(element, out var theirs)) continue;
            var both = child.Intersection(theirs);
            if (!both.IsEmpty) result.Writable[element] = both;
        }
        return result;
    }

    /// <summary>A deep copy.</summary>
    public FieldSet Copy()
    {
        var copy = new FieldSet { Member = Member };
        foreach (var (element, child) in _children) copy.Writable[element] = child.Copy();
        return copy;
    }

    /// <summary>True when both sets hold the same members.</summary>
    public bool SameAs(FieldSet other) => Difference(other).IsEmpty && other.Difference(this).IsEmpty;

    /// <summary>The <c>fieldsV1</c> JSON of the set.</summary>
    public JsonObject ToFieldsV1()
    {
        var json = new JsonObject();
        if (Member && _children.Count > 0) json["."] = new JsonObject();
        foreach (var (element, child) in Ordered())
            if (!child.IsEmpty) json[element] = child.ToFieldsV1();
        return json;
    }

    /// <summary>Reads a <c>fieldsV1</c> JSON object.</summary>
    public static FieldSet FromFieldsV1(JsonObject? json)
    {
        var set = new FieldSet();
        if (json is not null) Read(set, json);
        return set;

        static void Read(FieldSet node, JsonObject json)
        {
            foreach (var (element, value) in json)
            {
                if (element == ".")
                {
                    node.Member = true;
                    continue;
                }
                var child = node.Child(element);
                if (value is JsonObject nested && nested.Count > 0) Read(child, nested);
                else child.Member = true;
            }
        }
    }

    /// <summary>The children in fieldsV1 order; key and value elements are parsed once per listing, not per comparison.</summary>
    private IEnumerable<KeyValuePair<string, FieldSet>> Ordered()
    {
        if (_children.Count < 2) return _children;
        if (OnlyFields())
        {
            var fields = _children.ToArray();
            Array.Sort(fields, FieldOrder);
            return fields;
        }
        Dictionary<string, JsonNode?>? parsed = null;
        foreach (var key in _children.Keys)
        {
            if (key is not ['k' or 'v', ':', ..]) continue;
            parsed ??= new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            try { parsed[key] = JsonNode.Parse(key[2..]); }
            catch (System.Text.Json.JsonException) { }
        }
        var list = _children.ToList();
        list.Sort((a, b) => ElementOrder.Instance.Compare(a.Key, b.Key, parsed));
        return list;
    }

    private static readonly Comparison<KeyValuePair<string, FieldSet>> FieldOrder = (a, b) => string.CompareOrdinal(a.Key, b.Key);

    /// <summary>True when every child is an object member (<c>f:</c>), which order by their text.</summary>
    private bool OnlyFields()
    {
        foreach (var key in _children.Keys)
            if (key is not ['f', ':', ..]) return false;
        return true;
    }

    /// <summary>The order of path elements in fieldsV1: fields, then keys, then values, then indices.</summary>
    private sealed class ElementOrder : IComparer<string>
    {
        public static readonly ElementOrder Instance = new();

        public int Compare(string? x, string? y) => Compare(x, y, null);

        public int Compare(string? x, string? y, Dictionary<string, JsonNode?>? parsed)
        {
            var byKind = Rank(x).CompareTo(Rank(y));
            if (byKind != 0) return byKind;
            if (x is ['i', ':', ..] && y is ['i', ':', ..]
                && int.TryParse(x.AsSpan(2), out var a) && int.TryParse(y.AsSpan(2), out var b)) return a.CompareTo(b);
            if (parsed is not null && parsed.TryGetValue(x!, out var px) && parsed.TryGetValue(y!, out var py)) return CompareValues(px, py);
            if (x is ['k' or 'v', ':', ..] && y is ['k' or 'v', ':', ..])
            {
                try
                {
                    return CompareValues(JsonNode.Parse(x[2..]), JsonNode.Parse(y[2..]));
                }
                catch (System.Text.Json.JsonException)
                {
                    // Not JSON after all: fall back to the text.
                }
            }
            return string.CompareOrdinal(x, y);
        }

        /// <summary>Orders values as structured-merge-diff does: numbers by value, keys field by field.</summary>
        private static int CompareValues(JsonNode? a, JsonNode? b)
        {
            switch (a, b)
            {
                case (JsonObject x, JsonObject y):
                    foreach (var ((xName, xValue), (yName, yValue)) in x.Zip(y))
                    {
                        var byName = string.CompareOrdinal(xName, yName);
                        if (byName != 0) return byName;
                        var byValue = CompareValues(xValue, yValue);
                        if (byValue != 0) return byValue;
                    }
                    return x.Count.CompareTo(y.Count);
                case (JsonValue x, JsonValue y) when x.TryGetValue<double>(out var m) && y.TryGetValue<double>(out var n):
                    return m.CompareTo(n);
                default:
                    return string.CompareOrdinal(a?.ToJsonString(), b?.ToJsonString());
            }
        }

        private static int Rank(string? element) => element is null || element.Length < 2 ? 4 : element[0] switch
        {
            'f' => 0,
            'k' => 1,
            'v' => 2,
            'i' => 3,
            _ => 4,
        };
    }
}
