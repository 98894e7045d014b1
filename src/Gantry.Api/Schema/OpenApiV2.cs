using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Registry;

namespace Gantry.Api.Schema;

/// <summary>
/// The Swagger 2.0 document Kubernetes serves under <c>/openapi/v2</c>: every served path and every definition of the
/// <c>/openapi/v3</c> documents, in one document. kubectl before 1.30 reads it (as gnostic protobuf) to validate
/// manifests client-side, to find the kind of a definition (<c>x-kubernetes-group-version-kind</c>) and to compute
/// strategic merge patches for <c>apply</c> (<c>x-kubernetes-patch-merge-key</c>, <c>x-kubernetes-patch-strategy</c>).
/// Converted from the v3 documents, so both always describe the same schemas; built once, on first use.
/// </summary>
public static class OpenApiV2
{
    /// <summary>
    /// The Content-Type of the protobuf form. Clients ask for <c>…spec.v2@v1.0+protobuf</c>, but '@' is not a MIME token
    /// character and client-go's <c>mime.ParseMediaType</c> rejects it in a response, so Kubernetes answers with '.'.
    /// </summary>
    public const string ProtobufMediaType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private static readonly Lazy<JsonObject> Swagger = new(Build);
    private static readonly Lazy<byte[]> JsonBytes = new(() => System.Text.Encoding.UTF8.GetBytes(Swagger.Value.ToJsonString()));
    private static readonly Lazy<byte[]> ProtobufBytes = new(() => GnosticEncoder.Document(Swagger.Value));

    /// <summary>The document encoded as gnostic's <c>openapi.v2.Document</c> message.</summary>
    public static byte[] Protobuf() => ProtobufBytes.Value;

    /// <summary>The document as JSON.</summary>
    public static byte[] Json() => JsonBytes.Value;

    private static JsonObject Build()
    {
        var documents = ResourceRegistry.BuiltIn.GroupVersions
            .Select(gv => gv.Group.Length == 0 ? $"api/{gv.Version}" : $"apis/{gv.Group}/{gv.Version}")
            .Select(path => JsonNode.Parse(OpenApiV3.Document(path)!)!.AsObject());
        return SwaggerConverter.Convert(documents);
    }
}
