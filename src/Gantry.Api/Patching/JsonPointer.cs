using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>
/// An RFC 6901 pointer resolved to its parent container and last reference token, which is what every JSON Patch
/// operation acts on.
/// </summary>
internal sealed class JsonPointer
{
    private readonly JsonNode _container;
    private readonly string _key;

    private JsonPointer(JsonNode container, string key)
    {
        _container = container;
        _key = key;
    }

    /// <summary>True when the pointer names an object member that does not exist.</summary>
    public bool IsMissingMember => _container is JsonObject o && !o.ContainsKey(_key);

    /// <summary>Decodes one reference token: <c>~1</c> is '/', then <c>~0</c> is '~'.</summary>
    public static string Unescape(string token) => token.Replace("~1", "/").Replace("~0", "~");

    /// <summary>Escapes a member name as a reference token.</summary>
    public static string Escape(string name) => name.Replace("~", "~0").Replace("/", "~1");

    /// <summary>Finds the parent container of <paramref name="path"/>, or null when a step on the way is missing.</summary>
    public static JsonPointer? Resolve(JsonObject document, string path)
    {
        // The root itself cannot be the target of an operation (as in the library Kubernetes uses).
        if (!path.StartsWith('/')) return null;
        var tokens = path[1..].Split('/');
        JsonNode current = document;
        for (var i = 0; i < tokens.Length - 1; i++)
        {
            var token = Unescape(tokens[i]);
            JsonNode? next = current switch
            {
                JsonObject o => o.TryGetPropertyValue(token, out var child) ? child : null,
                JsonArray a => TryIndex(token, a.Count, out var index) ? a[index] : null,
                _ => null,
            };
            if (next is not (JsonObject or JsonArray)) return null;
            current = next;
        }
        return new JsonPointer(current, Unescape(tokens[^1]));
    }

    /// <summary>Reads the target; false when it does not exist (an object member may exist with a null value).</summary>
    public bool TryGet(out JsonNode? value)
    {
        value = null;
        switch (_container)
        {
            case JsonObject o:
                return o.TryGetPropertyValue(_key, out value);
            case JsonArray a when TryIndex(_key, a.Count, out var index):
                value = a[index];
                return true;
            default:
                return false;
        }
    }

    /// <summary>The RFC 6902 "add": sets a member, or inserts into an array ('-' appends).</summary>
    public string? Add(JsonNode? value)
    {
        if (_container is JsonObject o)
        {
            o[_key] = value;
            return null;
        }
        var array = (JsonArray)_container;
        if (_key == "-")
        {
            array.Add(value);
            return null;
        }
        if (!JsonPatch.TryParseIndex(_key, out var index)) return $"value was not a proper array index: '{_key}'";
        // One past the end is allowed (insert at the end); negative indices count from the end.
        var size = array.Count + 1;
        if (index >= size || index < -size) return $"Unable to access invalid index: {index}: invalid index referenced";
        if (index < 0) index += size;
        array.Insert(index, value);
        return null;
    }

    /// <summary>The RFC 6902 "remove"; the removed value is handed back for "move".</summary>
    public string? Remove(out JsonNode? removed)
    {
        removed = null;
        if (_container is JsonObject o)
        {
            if (!o.Remove(_key, out removed)) return $"Unable to remove nonexistent key: {_key}: missing value";
            return null;
        }
        var array = (JsonArray)_container;
        if (!TryIndex(_key, array.Count, out var index)) return $"Unable to access invalid index: {_key}: invalid index referenced";
        removed = array[index];
        array.RemoveAt(index);
        return null;
    }

    /// <summary>The RFC 6902 "replace"; an object member need not exist (the library Kubernetes uses adds it).</summary>
    public string? Replace(JsonNode? value)
    {
        if (_container is JsonObject o)
        {
            o[_key] = value;
            return null;
        }
        var array = (JsonArray)_container;
        if (!TryIndex(_key, array.Count, out var index)) return $"replace operation does not apply: doc is missing key: {_key}: missing value";
        array[index] = value;
        return null;
    }

    private static bool TryIndex(string token, int count, out int index)
    {
        if (!JsonPatch.TryParseIndex(token, out index) || index >= count || index < -count) return false;
        if (index < 0) index += count;
        return true;
    }
}
