using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Protobuf;

/// <summary>Placeholder replaced by the protobuf decoder branch.</summary>
public static class KubernetesProtobuf
{
    /// <summary>Decodes a Kubernetes protobuf body.</summary>
    public static JsonObject Decode(ReadOnlySpan<byte> body) => throw ApiException.UnsupportedMediaType("application/vnd.kubernetes.protobuf");
}
