using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using F = Gantry.Api.Schema.GnosticFields;

namespace Gantry.Api.Schema;

/// <summary>
/// Encodes a Swagger 2.0 document as gnostic's <c>openapi.v2.Document</c> protobuf, the form client-go's discovery
/// client asks for (<c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c>) and kubectl parses with
/// <c>proto.Unmarshal</c>. Every <c>x-</c> key becomes a <c>NamedAny</c> vendor extension whose <c>yaml</c> holds the
/// value as JSON text (valid YAML, which is how kube-openapi reads it back).
/// </summary>
internal static class GnosticEncoder
{
    // Vendor extension values are read back by a YAML parser: keep non-ASCII text as is rather than \u-escaped.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The protobuf bytes of the document.</summary>
    public static byte[] Document(JsonObject document) => Message(output =>
    {
        String(output, F.Document.Swagger, document["swagger"]);
        if (document["info"] is JsonObject info)
            Nested(output, F.Document.Info, o =>
            {
                String(o, F.Info.Title, info["title"]);
                String(o, F.Info.Version, info["version"]);
                String(o, F.Info.Description, info["description"]);
                Extensions(o, F.Info.VendorExtension, info);
            });
        Strings(output, F.Document.Consumes, document["consumes"]);
        Strings(output, F.Document.Produces, document["produces"]);
        if (document["paths"] is JsonObject paths)
            Nested(output, F.Document.Paths, o =>
            {
                Extensions(o, F.Paths.VendorExtension, paths);
                foreach (var (url, item) in paths)
                    if (!IsExtension(url)) Named(o, F.Paths.Path, url, i => PathItem(i, item!.AsObject()));
            });
        if (document["definitions"] is JsonObject definitions)
            Nested(output, F.Document.Definitions, o =>
            {
                foreach (var (name, schema) in definitions) Named(o, F.Wrapper.Value, name, s => Schema(s, schema!.AsObject()));
            });
        Extensions(output, F.Document.VendorExtension, document);
    });

    private static void PathItem(CodedOutputStream output, JsonObject item)
    {
        Operation(output, F.PathItem.Get, item["get"]);
        Operation(output, F.PathItem.Put, item["put"]);
        Operation(output, F.PathItem.Post, item["post"]);
        Operation(output, F.PathItem.Delete, item["delete"]);
        Operation(output, F.PathItem.Options, item["options"]);
        Operation(output, F.PathItem.Head, item["head"]);
        Operation(output, F.PathItem.Patch, item["patch"]);
        Parameters(output, F.PathItem.Parameters, item["parameters"]);
        Extensions(output, F.PathItem.VendorExtension, item);
    }

    private static void Operation(CodedOutputStream output, int field, JsonNode? node)
    {
        if (node is not JsonObject operation) return;
        Nested(output, field, o =>
        {
            Strings(o, F.Operation.Tags, operation["tags"]);
            String(o, F.Operation.Summary, operation["summary"]);
            String(o, F.Operation.Description, operation["description"]);
            String(o, F.Operation.OperationId, operation["operationId"]);
            Strings(o, F.Operation.Produces, operation["produces"]);
            Strings(o, F.Operation.Consumes, operation["consumes"]);
            Parameters(o, F.Operation.Parameters, operation["parameters"]);
            if (operation["responses"] is JsonObject responses)
                Nested(o, F.Operation.Responses, r =>
                {
                    foreach (var (code, response) in responses)
                        if (!IsExtension(code)) Named(r, F.Responses.ResponseCode, code, v => Response(v, response!.AsObject()));
                    Extensions(r, F.Responses.VendorExtension, responses);
                });
            Strings(o, F.Operation.Schemes, operation["schemes"]);
            Bool(o, F.Operation.Deprecated, operation["deprecated"]);
            Extensions(o, F.Operation.VendorExtension, operation);
        });
    }

    // ResponseValue { Response response = 1 } around Response { description = 1, SchemaItem schema = 2 }.
    private static void Response(CodedOutputStream output, JsonObject response) =>
        Nested(output, F.Response.ValueResponse, o =>
        {
            String(o, F.Response.Description, response["description"]);
            if (response["schema"] is JsonObject schema)
                Nested(o, F.Response.Schema, s => Nested(s, F.Response.SchemaItemSchema, i => Schema(i, schema)));
            Extensions(o, F.Response.VendorExtension, response);
        });

    // ParametersItem { Parameter parameter = 1 } around Parameter { BodyParameter = 1 | NonBodyParameter = 2 }.
    private static void Parameters(CodedOutputStream output, int field, JsonNode? node)
    {
        if (node is not JsonArray parameters) return;
        foreach (var parameter in parameters.Select(p => p!.AsObject()))
            Nested(output, field, item => Nested(item, F.ParameterChoice.ItemParameter, p =>
            {
                switch (parameter["in"]?.GetValue<string>())
                {
                    case "body":
                        Nested(p, F.ParameterChoice.BodyParameter, b =>
                        {
                            String(b, F.BodyParameter.Description, parameter["description"]);
                            String(b, F.BodyParameter.Name, parameter["name"]);
                            String(b, F.BodyParameter.In, parameter["in"]);
                            Bool(b, F.BodyParameter.Required, parameter["required"]);
                            if (parameter["schema"] is JsonObject schema) Nested(b, F.BodyParameter.Schema, s => Schema(s, schema));
                            Extensions(b, F.BodyParameter.VendorExtension, parameter);
                        });
                        break;
                    case "path":
                        Nested(p, F.ParameterChoice.NonBodyParameter, n => Nested(n, F.ParameterChoice.PathSubSchema, s =>
                        {
                            Bool(s, F.PathParameter.Required, parameter["required"]);
                            String(s, F.PathParameter.In, parameter["in"]);
                            String(s, F.PathParameter.Description, parameter["description"]);
                            String(s, F.PathParameter.Name, parameter["name"]);
                            String(s, F.PathParameter.Type, parameter["type"]);
                            String(s, F.PathParameter.Format, parameter["format"]);
                            Bool(s, F.PathParameter.UniqueItems, parameter["uniqueItems"]);
                            Extensions(s, F.PathParameter.VendorExtension, parameter);
                        }));
                        break;
                    default:
                        Nested(p, F.ParameterChoice.NonBodyParameter, n => Nested(n, F.ParameterChoice.QuerySubSchema, s =>
                        {
                            Bool(s, F.QueryParameter.Required, parameter["required"]);
                            String(s, F.QueryParameter.In, parameter["in"]);
                            String(s, F.QueryParameter.Description, parameter["description"]);
                            String(s, F.QueryParameter.Name, parameter["name"]);
                            String(s, F.QueryParameter.Type, parameter["type"]);
                            String(s, F.QueryParameter.Format, parameter["format"]);
                            Bool(s, F.QueryParameter.UniqueItems, parameter["uniqueItems"]);
                            Extensions(s, F.QueryParameter.VendorExtension, parameter);
                        }));
                        break;
                }
            }));
    }

    private static void Schema(CodedOutputStream output, JsonObject schema)
    {
        String(output, F.Schema.Ref, schema["$ref"]);
        String(output, F.Schema.Format, schema["format"]);
        String(output, F.Schema.Title, schema["title"]);
        String(output, F.Schema.Description, schema["description"]);
        if (schema["default"] is { } defaultValue) Nested(output, F.Schema.Default, a => Any(a, defaultValue));
        Bool(output, F.Schema.UniqueItems, schema["uniqueItems"]);
        Strings(output, F.Schema.Required, schema["required"]);
        if (schema["enum"] is JsonArray values)
            foreach (var value in values.OfType<JsonNode>()) Nested(output, F.Schema.Enum, a => Any(a, value));
        switch (schema["additionalProperties"])
        {
            case JsonObject additional:
                Nested(output, F.Schema.AdditionalProperties, a => Nested(a, F.Wrapper.Value, s => Schema(s, additional)));
                break;
            case JsonValue allowed:
                Nested(output, F.Schema.AdditionalProperties, a => Flag(a, F.Wrapper.AdditionalPropertiesBoolean, allowed.GetValue<bool>()));
                break;
        }
        if (schema["type"] is { } type)
            Nested(output, F.Schema.Type, t => Strings(t, F.Wrapper.Value, type is JsonArray ? type : new JsonArray(type.DeepClone())));
        if (schema["items"] is JsonObject items)
            Nested(output, F.Schema.Items, i => Nested(i, F.Wrapper.Value, s => Schema(s, items)));
        if (schema["allOf"] is JsonArray allOf)
            foreach (var part in allOf) Nested(output, F.Schema.AllOf, s => Schema(s, part!.AsObject()));
        if (schema["properties"] is JsonObject properties)
            Nested(output, F.Schema.Properties, p =>
            {
                foreach (var (name, property) in properties) Named(p, F.Wrapper.Value, name, s => Schema(s, property!.AsObject()));
            });
        Extensions(output, F.Schema.VendorExtension, schema);
    }

    private static bool IsExtension(string key) => key.StartsWith("x-", StringComparison.Ordinal);

    private static void Extensions(CodedOutputStream output, int field, JsonObject owner)
    {
        foreach (var (name, value) in owner)
            if (IsExtension(name) && value is not null) Named(output, field, name, a => Any(a, value));
    }

    private static void Any(CodedOutputStream output, JsonNode value) => Text(output, F.Any.Yaml, value.ToJsonString(JsonOptions));

    private static void Named(CodedOutputStream output, int field, string name, Action<CodedOutputStream> value) =>
        Nested(output, field, o =>
        {
            Text(o, F.Named.Name, name);
            Nested(o, F.Named.Value, value);
        });

    private static void Nested(CodedOutputStream output, int field, Action<CodedOutputStream> body)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(Message(body)));
    }

    private static byte[] Message(Action<CodedOutputStream> body)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true)) body(output);
        return buffer.ToArray();
    }

    private static void String(CodedOutputStream output, int field, JsonNode? value)
    {
        if (value?.GetValue<string>() is { Length: > 0 } text) Text(output, field, text);
    }

    private static void Strings(CodedOutputStream output, int field, JsonNode? values)
    {
        if (values is not JsonArray array) return;
        foreach (var value in array) Text(output, field, value!.GetValue<string>());
    }

    private static void Bool(CodedOutputStream output, int field, JsonNode? value)
    {
        if (value?.GetValue<bool>() == true) Flag(output, field, true);
    }

    private static void Text(CodedOutputStream output, int field, string text)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(text);
    }

    private static void Flag(CodedOutputStream output, int field, bool value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteBool(value);
    }
}
