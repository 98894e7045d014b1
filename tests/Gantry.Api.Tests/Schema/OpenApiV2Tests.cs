using System.Text;
using System.Text.Json.Nodes;
using Gantry.Api.Schema;
using Google.Protobuf;

namespace Gantry.Api.Tests.Schema;

public sealed class OpenApiV2Tests
{
    // gnostic openapi.v2 field numbers, written out independently of GnosticFields so a wrong constant fails here.
    private const int DocumentSwagger = 1, DocumentInfo = 2, DocumentPaths = 8, DocumentDefinitions = 9;
    private const int NamedName = 1, NamedValue = 2, AnyYaml = 2;
    private const int SchemaRef = 1, SchemaDescription = 4, SchemaRequired = 19, SchemaType = 22, SchemaItems = 23,
        SchemaProperties = 25, SchemaVendorExtension = 31;
    private const int PathItemPatch = 8, OperationParameters = 8, OperationVendorExtension = 13;

    private static JsonObject Swagger => JsonNode.Parse(OpenApiV2.Json())!.AsObject();

    [Fact]
    public void Json_IsSwagger2WithV3DefinitionsAsPlainReferences()
    {
        var swagger = Swagger;
        Assert.Equal("2.0", swagger["swagger"]!.GetValue<string>());
        var spec = swagger["definitions"]!["io.k8s.api.apps.v1.Deployment"]!["properties"]!["spec"]!.AsObject();
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.DeploymentSpec", spec["$ref"]!.GetValue<string>());
        Assert.False(spec.ContainsKey("allOf"));
        var containers = swagger["definitions"]!["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Equal("#/definitions/io.k8s.api.core.v1.Container", containers["items"]!["$ref"]!.GetValue<string>());
        Assert.Null(containers["items"]!["default"]);
        Assert.DoesNotContain("#/components/", Encoding.UTF8.GetString(OpenApiV2.Json()));
    }

    [Fact]
    public void Json_HasEveryDefinitionOfTheV3Documents()
    {
        var definitions = Swagger["definitions"]!.AsObject();
        foreach (var path in new[] { "api/v1", "apis/apps/v1", "apis/batch/v1" })
        {
            var schemas = JsonNode.Parse(OpenApiV3.Document(path)!)!["components"]!["schemas"]!.AsObject();
            Assert.All(schemas, s => Assert.True(definitions.ContainsKey(s.Key), s.Key));
        }
    }

    [Fact]
    public void Json_DeploymentPatch_HasBodyAndInlineFieldValidationParameters()
    {
        var patch = Swagger["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        var parameters = patch["parameters"]!.AsArray();
        var body = parameters.Single(p => p!["in"]!.GetValue<string>() == "body")!;
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch", body["schema"]!["$ref"]!.GetValue<string>());
        var validation = parameters.Single(p => p!["name"]!.GetValue<string>() == "fieldValidation")!;
        Assert.Equal("string", validation["type"]!.GetValue<string>());
        Assert.Contains("application/strategic-merge-patch+json", patch["consumes"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.Deployment", patch["responses"]!["200"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("Deployment", patch["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public void Protobuf_ParsesBackToTheDocument()
    {
        var document = Fields(OpenApiV2.Protobuf());
        Assert.Equal("2.0", Text(document, DocumentSwagger));
        Assert.Equal("Kubernetes", Text(Fields(Bytes(document, DocumentInfo)), 1));
        var definitions = Named(Fields(Bytes(document, DocumentDefinitions)), 1);
        Assert.Equal(Swagger["definitions"]!.AsObject().Count, definitions.Count);
        var paths = Named(Fields(Bytes(document, DocumentPaths)), 2);
        Assert.Equal(Swagger["paths"]!.AsObject().Count, paths.Count);
    }

    [Fact]
    public void Protobuf_Deployment_CarriesGroupVersionKindAndRequiredFields()
    {
        var deployment = Definition("io.k8s.api.apps.v1.Deployment");
        var gvk = JsonNode.Parse(Extensions(deployment)["x-kubernetes-group-version-kind"])!.AsArray().Single()!;
        Assert.Equal(("apps", "v1", "Deployment"),
            (gvk["group"]!.GetValue<string>(), gvk["version"]!.GetValue<string>(), gvk["kind"]!.GetValue<string>()));
        Assert.Equal(["object"], Texts(Fields(Bytes(deployment, SchemaType)), 1));
        Assert.NotEmpty(Text(deployment, SchemaDescription));
        var spec = Named(Fields(Bytes(deployment, SchemaProperties)), 1)["spec"];
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.DeploymentSpec", Text(Fields(spec), SchemaRef));
        Assert.Contains("selector", Texts(Definition("io.k8s.api.apps.v1.DeploymentSpec"), SchemaRequired));
    }

    [Fact]
    public void Protobuf_PodSpecContainers_CarryPatchMergeKeyAndStrategy()
    {
        var containers = Fields(Named(Fields(Bytes(Definition("io.k8s.api.core.v1.PodSpec"), SchemaProperties)), 1)["containers"]);
        var extensions = Extensions(containers);
        Assert.Equal("name", JsonNode.Parse(extensions["x-kubernetes-patch-merge-key"])!.GetValue<string>());
        Assert.Equal("merge", JsonNode.Parse(extensions["x-kubernetes-patch-strategy"])!.GetValue<string>());
        Assert.Equal(["array"], Texts(Fields(Bytes(containers, SchemaType)), 1));
        var item = Fields(Bytes(Fields(Bytes(containers, SchemaItems)), 1));
        Assert.Equal("#/definitions/io.k8s.api.core.v1.Container", Text(item, SchemaRef));
    }

    [Fact]
    public void Protobuf_DeploymentPatchOperation_CarriesParametersAndKind()
    {
        var paths = Named(Fields(Bytes(Fields(OpenApiV2.Protobuf()), DocumentPaths)), 2);
        var patch = Fields(Bytes(Fields(paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]), PathItemPatch));
        Assert.Contains("x-kubernetes-group-version-kind", Extensions(patch, OperationVendorExtension).Keys);
        // ParametersItem.parameter(1) -> Parameter.non_body_parameter(2) -> NonBodyParameter.query_parameter_sub_schema(3).name(4)
        var queryNames = patch.Where(f => f.Number == OperationParameters)
            .Select(f => Fields(Bytes(Fields(f.Value), 1)))
            .Where(p => p.Any(f => f.Number == 2))
            .Select(p => Text(Fields(Bytes(Fields(Bytes(p, 2)), 3)), 4));
        Assert.Contains("fieldValidation", queryNames);
        Assert.Contains("dryRun", queryNames);
    }

    [Fact]
    public void Documents_AreBuiltOnce()
    {
        Assert.Same(OpenApiV2.Protobuf(), OpenApiV2.Protobuf());
        Assert.Same(OpenApiV2.Json(), OpenApiV2.Json());
    }

    private static List<(int Number, ByteString Value)> Definition(string name) =>
        Fields(Named(Fields(Bytes(Fields(OpenApiV2.Protobuf()), DocumentDefinitions)), 1)[name]);

    private static Dictionary<string, string> Extensions(List<(int Number, ByteString Value)> message, int field = SchemaVendorExtension) =>
        Named(message, field).ToDictionary(e => e.Key, e => Text(Fields(e.Value), AnyYaml));

    /// <summary>The Named* entries (name = 1, value = 2) of a repeated field, by name.</summary>
    private static Dictionary<string, ByteString> Named(List<(int Number, ByteString Value)> message, int field) =>
        message.Where(f => f.Number == field).Select(f => Fields(f.Value))
            .ToDictionary(entry => Text(entry, NamedName), entry => Bytes(entry, NamedValue));

    private static ByteString Bytes(List<(int Number, ByteString Value)> message, int field) => message.Single(f => f.Number == field).Value;

    private static string Text(List<(int Number, ByteString Value)> message, int field) => Bytes(message, field).ToStringUtf8();

    private static string[] Texts(List<(int Number, ByteString Value)> message, int field) =>
        message.Where(f => f.Number == field).Select(f => f.Value.ToStringUtf8()).ToArray();

    /// <summary>The top-level fields of a message; varints come back as their encoded bytes, which these tests never read.</summary>
    private static List<(int Number, ByteString Value)> Fields(ByteString bytes) => Fields(bytes.ToByteArray());

    private static List<(int Number, ByteString Value)> Fields(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        var result = new List<(int, ByteString)>();
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited:
                    result.Add((number, input.ReadBytes()));
                    break;
                case WireFormat.WireType.Varint:
                    result.Add((number, ByteString.CopyFrom(BitConverter.GetBytes(input.ReadUInt64()))));
                    break;
                default:
                    throw new InvalidDataException($"unexpected wire type in field {number}");
            }
        }
        return result;
    }
}
