using System.Globalization;
using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Objects;

/// <summary>Small accessors for the metadata of JSON objects, so handlers read like Kubernetes code.</summary>
public static class ObjectMeta
{
    /// <summary>The metadata object, created when missing.</summary>
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta) return meta;
        meta = new JsonObject();
        obj["metadata"] = meta;
        return meta;
    }

    /// <summary>A string field of metadata, or null.</summary>
    public static string? Get(JsonObject obj, string field) =>
        obj["metadata"] is JsonObject meta && meta[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Kubernetes' timestamp format (RFC 3339, seconds).</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The finalizers, or an empty list.</summary>
    public static List<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray a ? a.Select(f => f?.GetValue<string>() ?? "").ToList() : [];

    /// <summary>Parses a resourceVersion; throws 400 when it is not a number.</summary>
    public static long ParseResourceVersion(string? text)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)) return rv;
        throw Gantry.Api.Errors.ApiException.BadRequest($"invalid resource version \"{text}\"");
    }
}
