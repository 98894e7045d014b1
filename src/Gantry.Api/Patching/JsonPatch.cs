using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Patching;

/// <summary>
/// RFC 6902 JSON Patch (<c>application/json-patch+json</c>) with the behaviour of the library Kubernetes uses
/// (evanphx/json-patch v4): negative array indices count from the end, <c>replace</c> of a missing object member
/// adds it, and any failing operation answers 422 with Kubernetes' generic "rejected" message.
/// </summary>
public static class JsonPatch
{
    /// <summary>Kubernetes refuses patches with more operations than this (413).</summary>
    public const int MaxOperations = 10000;

    /// <summary>Applies a patch given as JSON text; malformed text is a 400.</summary>
    public static JsonObject Apply(JsonObject original, string patch)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(patch);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        return Apply(original, parsed);
    }

    /// <summary>Applies a parsed patch (a JSON array of operations) to a copy of <paramref name="original"/>.</summary>
    public static JsonObject Apply(JsonObject original, JsonNode? patch)
    {
        var operations = Decode(patch);
        var document = (JsonObject)original.DeepClone();
        foreach (var operation in operations)
        {
            var failure = ApplyOperation(document, operation);
            if (failure is not null) throw Rejected(failure);
        }
        return document;
    }

    /// <summary>
    /// Kubernetes wraps every apply failure in a generic 422 that drops the library's own message
    /// (apimachinery NewGenericServerResponse); the reason is kept as the exception's inner text for logs.
    /// </summary>
    private static ApiException Rejected(string why) =>
        new(422, "Invalid", "the server rejected our request due to an error in our request", new JsonObject())
        {
            Data = { ["detail"] = why },
        };

    private static List<JsonObject> Decode(JsonNode? patch)
    {
        // Like Go's decoder, a JSON null is an empty patch.
        if (patch is null) return [];
        if (patch is not JsonArray array)
            throw ApiException.BadRequest($"json: cannot unmarshal {KindOf(patch)} into Go value of type jsonpatch.Patch");
        var operations = new List<JsonObject>(array.Count);
        foreach (var item in array)
        {
            // Go decodes a null element as an empty operation, which then fails as an unknown kind.
            if (item is null)
            {
                operations.Add([]);
                continue;
            }
            if (item is not JsonObject operation)
                throw ApiException.BadRequest($"json: cannot unmarshal {KindOf(item)} into Go value of type jsonpatch.Operation");
            operations.Add(operation);
        }
        if (operations.Count > MaxOperations)
            throw ApiException.TooLarge($"Request entity too large: The allowed maximum operations in a JSON patch is {MaxOperations}, got {operations.Count}");
        return operations;
    }

    private static string KindOf(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "bool",
    };

    /// <summary>Runs one operation; returns why it failed, or null.</summary>
    private static string? ApplyOperation(JsonObject document, JsonObject operation)
    {
        var op = StringMember(operation, "op") ?? "unknown";
        switch (op)
        {
            case "add":
            {
                var path = StringMember(operation, "path");
                if (path is null) return "add operation failed to decode path";
                var target = JsonPointer.Resolve(document, path);
                if (target is null) return $"add operation does not apply: doc is missing path: \"{path}\"";
                return target.Add(ValueOf(operation));
            }
            case "remove":
            {
                var path = StringMember(operation, "path");
                if (path is null) return "remove operation failed to decode path";
                var target = JsonPointer.Resolve(document, path);
                if (target is null) return $"remove operation does not apply: doc is missing path: \"{path}\"";
                return target.Remove(out _);
            }
            case "replace":
            {
                var path = StringMember(operation, "path");
                if (path is null) return "replace operation failed to decode path";
                var target = JsonPointer.Resolve(document, path);
                if (target is null) return $"replace operation does not apply: doc is missing path: {path}";
                return target.Replace(ValueOf(operation));
            }
            case "move":
            {
                var from = StringMember(operation, "from");
                if (from is null) return "move operation failed to decode from";
                var source = JsonPointer.Resolve(document, from);
                if (source is null) return $"move operation does not apply: doc is missing from path: {from}";
                var failure = source.Remove(out var moved);
                if (failure is not null) return failure;
                var path = StringMember(operation, "path");
                if (path is null) return "move operation failed to decode path";
                var target = JsonPointer.Resolve(document, path);
                if (target is null) return $"move operation does not apply: doc is missing destination path: {path}";
                return target.Add(moved);
            }
            case "copy":
            {
                var from = StringMember(operation, "from");
                if (from is null) return "copy operation failed to decode from";
                var source = JsonPointer.Resolve(document, from);
                if (source is null || !source.TryGet(out var copied))
                    return $"copy operation does not apply: doc is missing from path: {from}";
                var path = StringMember(operation, "path");
                if (path is null) return "copy operation failed to decode path";
                var target = JsonPointer.Resolve(document, path);
                if (target is null) return $"copy operation does not apply: doc is missing destination path: {path}";
                return target.Add(copied?.DeepClone());
            }
            case "test":
            {
                var path = StringMember(operation, "path");
                if (path is null) return "test operation failed to decode path";
                var target = JsonPointer.Resolve(document, path);
                if (target is null) return $"test operation does not apply: is missing path: {path}";
                if (!target.TryGet(out var actual))
                    return target.IsMissingMember && ValueOf(operation) is null ? null : $"testing value {path} failed: test failed";
                return JsonNode.DeepEquals(actual, ValueOf(operation)) ? null : $"testing value {path} failed: test failed";
            }
            default:
                return $"Unexpected kind: {op}";
        }
    }

    private static string? StringMember(JsonObject operation, string name) =>
        operation.TryGetPropertyValue(name, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonNode? ValueOf(JsonObject operation) =>
        operation.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : null;

    /// <summary>Parses an array index the way Go's strconv.Atoi does (optional sign, decimal digits).</summary>
    internal static bool TryParseIndex(string text, out int index) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index);
}
