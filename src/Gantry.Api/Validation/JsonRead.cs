using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Api.Validation;

/// <summary>
/// Tolerant typed reads of JSON objects: a field of the wrong JSON type reads as absent, so validation reports
/// what Kubernetes would instead of throwing.
/// </summary>
internal static class JsonRead
{
    public static JsonObject? Obj(JsonNode? node, string key) => node is JsonObject o && o[key] is JsonObject r ? r : null;

    public static JsonArray? Arr(JsonNode? node, string key) => node is JsonObject o && o[key] is JsonArray r ? r : null;

    public static string? Str(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? Long(JsonNode? node, string key) => node is JsonObject o ? AsLong(o[key]) : null;

    public static long? AsLong(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number &&
        long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static string? AsString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static bool? Bool(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v ? v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;

    /// <summary>True when the field is absent or JSON null.</summary>
    public static bool IsUnset(JsonObject obj, string key) => obj[key] is null;

    /// <summary>The objects of an array with their indexes (non-objects skipped).</summary>
    public static IEnumerable<(int Index, JsonObject Item)> Items(JsonArray? array)
    {
        if (array is null) yield break;
        for (var i = 0; i < array.Count; i++)
            if (array[i] is JsonObject item) yield return (i, item);
    }

    /// <summary>The strings of an array with their indexes.</summary>
    public static IEnumerable<(int Index, string Value)> Strings(JsonArray? array)
    {
        if (array is null) yield break;
        for (var i = 0; i < array.Count; i++)
            if (AsString(array[i]) is { } s) yield return (i, s);
    }

    /// <summary>The string entries of a map object (labels, annotations, data).</summary>
    public static IEnumerable<(string Key, string Value)> StringMap(JsonObject? map)
    {
        if (map is null) yield break;
        foreach (var (key, value) in map) yield return (key, AsString(value) ?? "");
    }

    /// <summary>The object at key, created empty when absent.</summary>
    public static JsonObject Child(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing) return existing;
        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    /// <summary>Sets a string field when it is absent, null or empty (Go's zero value).</summary>
    public static void DefaultString(JsonObject obj, string key, string value)
    {
        if (string.IsNullOrEmpty(Str(obj, key))) obj[key] = value;
    }

    /// <summary>Sets a field when it is absent or null.</summary>
    public static void Default(JsonObject obj, string key, JsonNode value)
    {
        if (obj[key] is null) obj[key] = value;
    }

    /// <summary>Sets a number field when absent, null or zero (Kubernetes' defaulters test for zero on non-pointer ints).</summary>
    public static void DefaultNonZero(JsonObject obj, string key, long value)
    {
        if ((Long(obj, key) ?? 0) == 0) obj[key] = value;
    }
}
