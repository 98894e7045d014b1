using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Http;

/// <summary>Reads request bodies (JSON, YAML, Kubernetes protobuf) with Kubernetes' 3 MiB limit and depth limits.</summary>
public static class RequestBody
{
    /// <summary>Kubernetes' maximum request body (3 MiB).</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 100 };
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <summary>The media type of the request without parameters, lower-cased ("" when absent).</summary>
    public static string MediaType(HttpRequest request)
    {
        var ct = request.ContentType ?? "";
        var semi = ct.IndexOf(';');
        return (semi >= 0 ? ct[..semi] : ct).Trim().ToLowerInvariant();
    }

    /// <summary>Reads the raw body, refusing more than <see cref="MaxBytes"/> with 413.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes) throw ApiException.TooLarge();
        // The server never delivers more than a declared Content-Length: read into an array of that size, with no copy.
        if (request.ContentLength is { } declared) return await ReadDeclaredAsync(request.Body, (int)declared, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), cancellationToken);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBytes) throw ApiException.TooLarge();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<byte[]> ReadDeclaredAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        var bytes = new byte[length];
        var filled = 0;
        while (filled < length)
        {
            var read = await body.ReadAsync(bytes.AsMemory(filled), cancellationToken);
            if (read == 0) return bytes[..filled];
            filled += read;
        }
        return bytes;
    }

    /// <summary>Reads an object body in whichever supported encoding the Content-Type names.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var bytes = await ReadBytesAsync(request, cancellationToken);
        var node = Decode(MediaType(request), bytes);
        return node as JsonObject ?? throw ApiException.BadRequest("the request body must be an object");
    }

    /// <summary>Decodes a body of a known media type into JSON.</summary>
    public static JsonNode? Decode(string mediaType, byte[] bytes)
    {
        switch (mediaType)
        {
            case "" or "application/json" or "application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/json-patch+json":
                return ParseJson(bytes);
            case "application/yaml" or "application/apply-patch+yaml" or "application/x-yaml" or "text/yaml":
                return ParseYaml(bytes);
            case "application/vnd.kubernetes.protobuf":
                return KubernetesProtobuf.Decode(bytes);
            default:
                throw ApiException.UnsupportedMediaType(mediaType);
        }
    }

    /// <summary>Parses JSON, answering 400 with the parser's message for malformed input.</summary>
    public static JsonNode? ParseJson(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) throw ApiException.BadRequest("the request body is empty");
        try
        {
            return JsonNode.Parse(bytes, NodeOptions, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"error decoding JSON: {ex.Message}");
        }
    }

    private static JsonNode? ParseYaml(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{')) return ParseJson(bytes);
        // Expanding aliases may multiply a document; allow generous room relative to its size but no more.
        return YamlToJson.Convert(text, nodeBudget: Math.Max(10_000, bytes.Length));
    }
}
