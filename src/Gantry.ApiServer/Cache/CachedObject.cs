using Gantry.ApiServer.Http;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Storage;

namespace Gantry.ApiServer.Cache;

/// <summary>
/// One object version as the watch cache holds it: the JSON bytes clients receive (resourceVersion filled in)
/// plus what selectors need, extracted once when the version arrives.
/// </summary>
public sealed class CachedObject
{
    /// <summary>Creates a cached version.</summary>
    public CachedObject(string key, long revision, byte[] json, string? ns, string name, JsonObject? labels, IReadOnlyDictionary<string, string?> fields)
    {
        Key = key;
        Revision = revision;
        Json = json;
        Namespace = ns;
        Name = name;
        Labels = labels;
        Fields = fields;
    }

    /// <summary>Storage key.</summary>
    public string Key { get; }
    /// <summary>Revision of this version (its resourceVersion).</summary>
    public long Revision { get; }
    /// <summary>Serialized object as served.</summary>
    public byte[] Json { get; }
    /// <summary>Namespace, or null for cluster-scoped objects.</summary>
    public string? Namespace { get; }
    /// <summary>Name.</summary>
    public string Name { get; }
    /// <summary>metadata.labels, or null.</summary>
    public JsonObject? Labels { get; }
    /// <summary>Values of the kind's selectable fields.</summary>
    public IReadOnlyDictionary<string, string?> Fields { get; }

    /// <summary>Parses a fresh mutable copy of the object.</summary>
    public JsonObject Parse() => (JsonObject)JsonNode.Parse(Json)!;

    /// <summary>Builds the cached form of a stored version: resourceVersion set, labels and selectable fields extracted.</summary>
    public static CachedObject From(StoredValue value, long revision, Func<JsonObject, IReadOnlyDictionary<string, string?>> fields)
    {
        var obj = (JsonObject)JsonNode.Parse(value.Value.Span)!;
        var meta = obj["metadata"] as JsonObject ?? [];
        meta["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        var json = JsonSerializer.SerializeToUtf8Bytes(obj, ApiJson.Options);
        var labels = meta["labels"] as JsonObject;
        return new CachedObject(value.Key, revision, json, (string?)meta["namespace"], (string?)meta["name"] ?? "",
            (JsonObject?)labels?.DeepClone(), fields(obj));
    }
}
