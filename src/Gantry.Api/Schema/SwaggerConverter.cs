using System.Text.Json.Nodes;

namespace Gantry.Api.Schema;

/// <summary>
/// Turns the per-group-version OpenAPI v3 documents into the one Swagger 2.0 document Kubernetes serves under
/// <c>/openapi/v2</c>: schemas move to <c>definitions</c>, <c>allOf</c>-wrapped references become plain <c>$ref</c>s
/// (kube-openapi's v2 parser ignores <c>allOf</c>), parameters carry their type inline, request bodies become
/// <c>in: body</c> parameters and responses carry their schema directly.
/// </summary>
internal static class SwaggerConverter
{
    private const string V3Prefix = "#/components/schemas/";
    private const string V2Prefix = "#/definitions/";
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch"];

    /// <summary>The Swagger 2.0 document of all the given v3 documents, with paths and definitions sorted by name.</summary>
    public static JsonObject Convert(IEnumerable<JsonObject> v3Documents)
    {
        var definitions = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var paths = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var document in v3Documents)
        {
            foreach (var (name, schema) in document["components"]!["schemas"]!.AsObject())
                definitions.TryAdd(name, Schema(schema!.AsObject()));
            foreach (var (url, item) in document["paths"]!.AsObject())
                paths.TryAdd(url, PathItem(item!.AsObject()));
        }
        return new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = Sorted(paths),
            ["definitions"] = Sorted(definitions),
        };
    }

    private static JsonObject Sorted(SortedDictionary<string, JsonNode> entries)
    {
        var result = new JsonObject();
        foreach (var (name, node) in entries) result[name] = node;
        return result;
    }

    /// <summary>A v3 schema as a v2 schema; recursive through properties, items and additionalProperties.</summary>
    public static JsonObject Schema(JsonObject v3)
    {
        var v2 = new JsonObject();
        foreach (var (key, value) in v3)
        {
            switch (key)
            {
                case "$ref":
                    v2["$ref"] = V2Prefix + value!.GetValue<string>()[V3Prefix.Length..];
                    break;
                case "allOf" when SingleRef(value) is { } reference:
                    v2["$ref"] = V2Prefix + reference[V3Prefix.Length..];
                    break;
                // v2 definitions never default a reference (the v3 generator adds {} to array items of structs).
                case "default" when v3.ContainsKey("allOf"):
                    break;
                case "properties":
                    var properties = new JsonObject();
                    foreach (var (name, property) in value!.AsObject()) properties[name] = Schema(property!.AsObject());
                    v2["properties"] = properties;
                    break;
                case "items" or "additionalProperties" when value is JsonObject inner:
                    v2[key] = Schema(inner);
                    break;
                default:
                    v2[key] = value?.DeepClone();
                    break;
            }
        }
        return v2;
    }

    private static string? SingleRef(JsonNode? allOf) =>
        allOf is JsonArray { Count: 1 } parts && parts[0] is JsonObject part ? part["$ref"]?.GetValue<string>() : null;

    private static JsonObject PathItem(JsonObject v3)
    {
        var v2 = new JsonObject();
        foreach (var (key, value) in v3)
        {
            if (key == "parameters") v2["parameters"] = Parameters(value!.AsArray());
            else if (Methods.Contains(key)) v2[key] = Operation(value!.AsObject());
            else v2[key] = value?.DeepClone();
        }
        return v2;
    }

    private static JsonObject Operation(JsonObject v3)
    {
        var v2 = new JsonObject();
        var consumes = new SortedSet<string>(StringComparer.Ordinal);
        var produces = new SortedSet<string>(StringComparer.Ordinal);
        var parameters = Parameters(v3["parameters"]?.AsArray() ?? []);
        if (v3["requestBody"] is JsonObject body)
        {
            var content = body["content"]!.AsObject();
            consumes.UnionWith(content.Select(c => c.Key));
            var parameter = new JsonObject { ["in"] = "body", ["name"] = "body" };
            if (body["required"]?.GetValue<bool>() == true) parameter["required"] = true;
            parameter["schema"] = Schema(content.First().Value!["schema"]!.AsObject());
            parameters.Insert(0, parameter);
        }
        var responses = new JsonObject();
        foreach (var (code, response) in v3["responses"]!.AsObject())
        {
            var v2Response = new JsonObject { ["description"] = response!["description"]!.DeepClone() };
            if (response["content"] is JsonObject content)
            {
                produces.UnionWith(content.Select(c => c.Key));
                v2Response["schema"] = Schema(content.First().Value!["schema"]!.AsObject());
            }
            responses[code] = v2Response;
        }
        foreach (var (key, value) in v3)
        {
            switch (key)
            {
                case "parameters" or "requestBody":
                    break;
                case "responses":
                    if (consumes.Count > 0) v2["consumes"] = Strings(consumes);
                    v2["parameters"] = parameters;
                    v2["produces"] = Strings(produces);
                    v2["responses"] = responses;
                    v2["schemes"] = new JsonArray("https");
                    break;
                default:
                    v2[key] = value?.DeepClone();
                    break;
            }
        }
        return v2;
    }

    private static JsonArray Parameters(JsonArray v3)
    {
        var result = new JsonArray();
        foreach (var parameter in v3)
        {
            var v2 = new JsonObject();
            foreach (var (key, value) in parameter!.AsObject())
            {
                if (key != "schema") v2[key] = value?.DeepClone();
                else foreach (var (schemaKey, schemaValue) in value!.AsObject()) v2[schemaKey] = schemaValue?.DeepClone();
            }
            result.Add((JsonNode)v2);
        }
        return result;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
