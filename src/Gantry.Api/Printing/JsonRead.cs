using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>
/// Tolerant reads of Kubernetes objects as JSON: a missing or mistyped field reads as Go's zero value would,
/// because printers and field selectors must never fail on an object the API accepted.
/// </summary>
internal static class JsonRead
{
    // Paths are literals in printers and field catalogs, so this cache stays small; it spares a split per read
    // on the watch fan-out path, where field selectors run for every event.
    private static readonly ConcurrentDictionary<string, string[]> Segments = new(StringComparer.Ordinal);

    /// <summary>The node at a dotted path of object fields, or null.</summary>
    public static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in Segments.GetOrAdd(path, p => p.Split('.')))
        {
            if (node is not JsonObject o) return null;
            node = o[part];
        }
        return node;
    }

    /// <summary>A string field, or null when absent or not a string.</summary>
    public static string? Str(JsonNode? node, string path) => Str(At(node, path));

    /// <summary>A node's string value, or null when it is not a string.</summary>
    public static string? Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A string field, or "" when absent (Go's zero value).</summary>
    public static string Text(JsonNode? node, string path) => Str(node, path) ?? "";

    /// <summary>An integer field, or null when absent.</summary>
    public static long? Long(JsonNode? node, string path) => AsLong(At(node, path));

    /// <summary>An integer field, or 0 when absent.</summary>
    public static long Int(JsonNode? node, string path) => AsLong(At(node, path)) ?? 0;

    /// <summary>A boolean field, or null when absent.</summary>
    public static bool? Bool(JsonNode? node, string path) => At(node, path) is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
        ? v.GetValueKind() == JsonValueKind.True
        : null;

    /// <summary>An object field, or null.</summary>
    public static JsonObject? Obj(JsonNode? node, string path) => At(node, path) as JsonObject;

    /// <summary>The elements of an array field (empty when absent).</summary>
    public static IList<JsonNode?> Array(JsonNode? node, string path) =>
        At(node, path) is JsonArray a ? a : [];

    /// <summary>The number of members of an object field, or of elements of an array field.</summary>
    public static int Count(JsonNode? node, string path) => At(node, path) switch
    {
        JsonObject o => o.Count,
        JsonArray a => a.Count,
        _ => 0,
    };

    /// <summary>A timestamp field (RFC 3339), or null when absent or unparsable.</summary>
    public static DateTimeOffset? Time(JsonNode? node, string path) =>
        Str(node, path) is { Length: > 0 } text &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>A string-or-integer field (IntOrString) as text, or null when absent.</summary>
    public static string? IntOrString(JsonNode? node, string path) => At(node, path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when AsLong(v) is { } n => n.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    private static long? AsLong(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<double>(out var d)) return (long)d;
        return long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : null;
    }
}
