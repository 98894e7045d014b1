using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Cache;

/// <summary>
/// The selectable field values of one cached object version. Name, namespace and the cache's indexed field (a pod's
/// spec.nodeName, which every node agent's watch selects on) are read by a forward scan of the stored bytes; the other
/// fields (status.phase, ...) are read from a parsed tree on first use only. Every pod write passes through the cache,
/// and parsing a whole pod into a tree for fields that hardly any watch selects on cost more than the rest of the
/// event's handling.
/// </summary>
internal sealed class CachedFields : IReadOnlyDictionary<string, string?>
{
    private readonly ReadOnlyMemory<byte> _stored;
    private readonly IReadOnlyDictionary<string, Func<JsonObject, string?>> _catalog;
    private readonly string? _name;
    private readonly string? _namespace;
    private readonly string? _indexedField;
    private readonly string? _indexedValue;
    private Dictionary<string, string?>? _all;

    public CachedFields(ReadOnlyMemory<byte> stored, IReadOnlyDictionary<string, Func<JsonObject, string?>> catalog, string? name, string? ns,
        string? indexedField)
    {
        _stored = stored;
        _catalog = catalog;
        _name = name;
        _namespace = ns;
        if (indexedField is not null && catalog.ContainsKey(indexedField))
        {
            _indexedField = indexedField;
            _indexedValue = StringAt(stored.Span, indexedField);
        }
    }

    public int Count => _catalog.Count;

    public IEnumerable<string> Keys => _catalog.Keys;

    public IEnumerable<string?> Values => All.Values;

    public string? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => _catalog.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string? value)
    {
        if (!_catalog.ContainsKey(key))
        {
            value = null;
            return false;
        }
        // Go's zero value for a missing name or namespace, as the catalog's readers return it.
        value = key switch
        {
            "metadata.name" => _name ?? "",
            "metadata.namespace" => _namespace ?? "",
            _ when key == _indexedField => _indexedValue,
            _ => All[key],
        };
        return true;
    }

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => All.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Racing readers may both parse; either result is the same, so no lock.
    private Dictionary<string, string?> All => _all ??= Parse();

    private Dictionary<string, string?> Parse()
    {
        var obj = (JsonObject)JsonNode.Parse(_stored.Span)!;
        var fields = new Dictionary<string, string?>(_catalog.Count, StringComparer.Ordinal);
        foreach (var (name, get) in _catalog) fields[name] = get(obj);
        return fields;
    }

    /// <summary>
    /// The string at a dotted path of object members ("spec.nodeName"), or "" when a member is missing or the value is
    /// not a string: what <c>JsonRead.Text</c> reads from the parsed object, without parsing it.
    /// </summary>
    internal static string StringAt(ReadOnlySpan<byte> json, string path)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "";
        var segments = path.Split('.');
        var depth = 0;
        while (depth < segments.Length)
        {
            if (!FindMember(ref reader, segments[depth])) return "";
            reader.Read();
            depth++;
            if (depth < segments.Length && reader.TokenType != JsonTokenType.StartObject) return "";
        }
        return reader.TokenType == JsonTokenType.String ? reader.GetString()! : "";
    }

    // Positions the reader on the name of member `name` of the object just opened; false when the object has none.
    private static bool FindMember(ref Utf8JsonReader reader, string name)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name)) return true;
            reader.Read();
            reader.Skip();
        }
        return false;
    }
}
