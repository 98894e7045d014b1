using System.Text.Json;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// One forward pass over a stored object's JSON that finds what the watch cache needs without building a tree:
/// where to insert resourceVersion, the name, namespace and labels (namespaces and labels as shared strings: the watch
/// cache keeps them for every object).
/// </summary>
public readonly struct StoredObjectScan
{
    /// <summary>Offset just after the '{' of the top-level metadata, or -1 when there is no metadata object.</summary>
    public int InsertAt { get; init; }
    /// <summary>Whether the metadata object is empty (no comma after an inserted member).</summary>
    public bool MetadataEmpty { get; init; }
    /// <summary>metadata.name.</summary>
    public string? Name { get; init; }
    /// <summary>metadata.namespace.</summary>
    public string? Namespace { get; init; }
    /// <summary>metadata.labels, or null.</summary>
    public List<KeyValuePair<string, string>>? Labels { get; init; }

    /// <summary>Scans the JSON of a stored object.</summary>
    public static StoredObjectScan Of(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return FindMetadata(ref reader) ? ScanMetadata(ref reader) : new StoredObjectScan { InsertAt = -1 };
    }

    /// <summary>
    /// Only where resourceVersion goes (<see cref="InsertAt"/>, <see cref="MetadataEmpty"/>), reading no value: all that
    /// answering a GET or a write with the stored bytes needs.
    /// </summary>
    public static StoredObjectScan InsertPointOf(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!FindMetadata(ref reader)) return new StoredObjectScan { InsertAt = -1 };
        var insertAt = (int)reader.TokenStartIndex + 1;
        var empty = reader.Read() && reader.TokenType == JsonTokenType.EndObject;
        return new StoredObjectScan { InsertAt = insertAt, MetadataEmpty = empty };
    }

    // Moves the reader onto the '{' of the top-level metadata; false when there is no metadata object.
    private static bool FindMetadata(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
            if (!reader.ValueTextEquals("metadata"u8))
            {
                reader.Skip();
                continue;
            }
            reader.Read();
            return reader.TokenType == JsonTokenType.StartObject;
        }
        return false;
    }

    private static StoredObjectScan ScanMetadata(ref Utf8JsonReader reader)
    {
        var insertAt = (int)reader.TokenStartIndex + 1;
        var empty = true;
        string? name = null, ns = null;
        List<KeyValuePair<string, string>>? labels = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            empty = false;
            if (reader.ValueTextEquals("name"u8)) { reader.Read(); name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; }
            else if (reader.ValueTextEquals("namespace"u8)) { reader.Read(); ns = reader.TokenType == JsonTokenType.String ? SharedStrings.Read(ref reader) : null; }
            else if (reader.ValueTextEquals("labels"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                labels = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = SharedStrings.Read(ref reader);
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) labels.Add(new(key, SharedStrings.Read(ref reader)));
                    else reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return new StoredObjectScan { InsertAt = insertAt, MetadataEmpty = empty, Name = name, Namespace = ns, Labels = labels };
    }
}
