using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Patching;

/// <summary>
/// RFC 7386 JSON Merge Patch (<c>application/merge-patch+json</c>): objects merge recursively, null deletes a member,
/// everything else (lists included) replaces.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>Applies a patch given as JSON text; malformed text is a 400.</summary>
    public static JsonObject Apply(JsonObject original, string patch)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(patch);
        }
        catch (JsonException)
        {
            throw InvalidPatch();
        }
        return Apply(original, parsed);
    }

    /// <summary>Applies a parsed patch to a copy of <paramref name="original"/>; the patch must be an object.</summary>
    public static JsonObject Apply(JsonObject original, JsonNode? patch)
    {
        // A patch that is not an object would replace the whole document, which can never be a valid object.
        if (patch is not JsonObject patchObject) throw InvalidPatch();
        var document = (JsonObject)original.DeepClone();
        MergeInto(document, patchObject);
        return document;
    }

    private static ApiException InvalidPatch() => ApiException.BadRequest("Invalid JSON Patch");

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
                continue;
            }
            if (target[key] is JsonObject current && value is JsonObject nested)
            {
                MergeInto(current, nested);
                continue;
            }
            target[key] = WithoutNulls(value.DeepClone());
        }
    }

    /// <summary>A value taken whole from the patch still has its null members dropped (as the RFC's algorithm does).</summary>
    private static JsonNode WithoutNulls(JsonNode value)
    {
        switch (value)
        {
            case JsonObject o:
                foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList()) o.Remove(key);
                foreach (var (_, child) in o) WithoutNulls(child!);
                break;
            case JsonArray a:
                // Array elements that are null stay (they are values, not deletions); objects inside are cleaned.
                foreach (var child in a) if (child is not null) WithoutNulls(child);
                break;
        }
        return value;
    }
}
