using System.Buffers;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Objects;
using Gantry.Storage;

namespace Gantry.ApiServer.Cache;

/// <summary>
/// One object version as the watch cache holds it: the store's own bytes (shared with the store's index, not copied)
/// with where resourceVersion goes, plus what selectors need, extracted once when the version arrives.
/// </summary>
public sealed class CachedObject
{
    private readonly int _insertAt;
    private readonly bool _metadataEmpty;

    private CachedObject(string key, long revision, ReadOnlyMemory<byte> stored, StoredObjectScan scan, JsonObject? labels,
        IReadOnlyDictionary<string, string?> fields)
    {
        Key = key;
        Revision = revision;
        Stored = stored;
        _insertAt = scan.InsertAt;
        _metadataEmpty = scan.MetadataEmpty;
        Namespace = scan.Namespace;
        Name = scan.Name ?? "";
        Labels = labels;
        Fields = fields;
    }

    /// <summary>Storage key.</summary>
    public string Key { get; }
    /// <summary>Revision of this version (its resourceVersion).</summary>
    public long Revision { get; }
    /// <summary>The stored JSON, without resourceVersion.</summary>
    public ReadOnlyMemory<byte> Stored { get; }
    /// <summary>Namespace, or null for cluster-scoped objects.</summary>
    public string? Namespace { get; }
    /// <summary>Name.</summary>
    public string Name { get; }
    /// <summary>metadata.labels, or null.</summary>
    public JsonObject? Labels { get; }
    /// <summary>Values of the kind's selectable fields.</summary>
    public IReadOnlyDictionary<string, string?> Fields { get; }

    /// <summary>The object as served (resourceVersion filled in), as a new array.</summary>
    public byte[] Json
    {
        get
        {
            var buffer = new ArrayBufferWriter<byte>(Stored.Length + 40);
            WriteTo(buffer);
            return buffer.WrittenSpan.ToArray();
        }
    }

    /// <summary>Writes the object as served into a buffer, without intermediate copies.</summary>
    public void WriteTo(IBufferWriter<byte> output) => ResourceVersionStamp.Write(output, Stored.Span, Revision, _insertAt, _metadataEmpty);

    /// <summary>Parses a fresh mutable copy of the object.</summary>
    public JsonObject Parse() => (JsonObject)JsonNode.Parse(Json)!;

    /// <summary>
    /// Builds the cached form of a stored version. No JSON tree is built: the field values come from a scan, except
    /// for fields other than name, namespace and <paramref name="indexedField"/>, read from a tree when first asked for.
    /// </summary>
    public static CachedObject From(StoredValue value, long revision, IReadOnlyDictionary<string, Func<JsonObject, string?>> catalog,
        string? indexedField = null)
    {
        var scan = StoredObjectScan.Of(value.Value.Span);
        JsonObject? labels = null;
        if (scan.Labels is { } list)
        {
            labels = [];
            foreach (var (k, v) in list) labels[k] = JsonValue.Create(v);
        }
        IReadOnlyDictionary<string, string?> fields = catalog.Count <= 2 && catalog.ContainsKey("metadata.name")
            ? new Dictionary<string, string?>(2) { ["metadata.name"] = scan.Name, ["metadata.namespace"] = scan.Namespace }
            : new CachedFields(value.Value, catalog, scan.Name, scan.Namespace, indexedField);
        return new CachedObject(value.Key, revision, value.Value, scan, labels, fields);
    }
}
