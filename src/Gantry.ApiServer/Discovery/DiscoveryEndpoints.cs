using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Schema;
using Gantry.ApiServer.Http;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Discovery;

/// <summary>Serves /api, /apis, group and group-version discovery and the OpenAPI v2 and v3 documents.</summary>
public static class DiscoveryEndpoints
{
    /// <summary>Answers the request when it is a discovery or OpenAPI path; false otherwise.</summary>
    public static async Task<bool> TryServeAsync(HttpContext context, string path, ResourceRegistry registry, DiscoveryDocuments docs)
    {
        if (context.Request.Method != "GET" && context.Request.Method != "HEAD") return false;
        var accept = context.Request.Headers.Accept.ToString();
        var trimmed = path.TrimEnd('/');
        switch (trimmed)
        {
            case "/api":
                await WriteDiscoveryAsync(context, accept, docs.Api, docs.AggregatedApiV2, docs.AggregatedApiV2Beta1);
                return true;
            case "/apis":
                await WriteDiscoveryAsync(context, accept, docs.Apis, docs.AggregatedApisV2, docs.AggregatedApisV2Beta1);
                return true;
            case "/openapi/v3":
                await ResponseWriter.WriteJsonAsync(context, 200, OpenApiV3.Index());
                return true;
            case "/openapi/v2":
                context.Response.Headers.Vary = "Accept";
                if (accept.Contains("protobuf", StringComparison.Ordinal))
                    await ResponseWriter.WriteBytesAsync(context, 200, OpenApiV2.Protobuf(), OpenApiV2.ProtobufMediaType);
                else
                    await ResponseWriter.WriteBytesAsync(context, 200, OpenApiV2.Json());
                return true;
            case "/swagger-2.0.0.pb-v1":
                // The protobuf path of API servers before 1.14, which client-go still falls back to.
                await ResponseWriter.WriteBytesAsync(context, 200, OpenApiV2.Protobuf(), OpenApiV2.ProtobufMediaType);
                return true;
        }
        if (trimmed.StartsWith("/openapi/v3/", StringComparison.Ordinal))
        {
            var doc = OpenApiV3.Document(trimmed["/openapi/v3/".Length..]) ?? throw ApiException.NotFoundPath();
            context.Response.Headers.CacheControl = "public, immutable";
            await ResponseWriter.WriteBytesAsync(context, 200, doc);
            return true;
        }
        var parts = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 && parts[0] == "api")
        {
            var list = docs.ResourceList(parts[1]) ?? throw ApiException.NotFoundPath();
            await ResponseWriter.WriteBytesAsync(context, 200, list);
            return true;
        }
        if (parts.Length == 2 && parts[0] == "apis")
        {
            var group = DiscoveryDocuments.Group(registry, parts[1]) ?? throw ApiException.NotFoundPath();
            await ResponseWriter.WriteJsonAsync(context, 200, group);
            return true;
        }
        if (parts.Length == 3 && parts[0] == "apis")
        {
            var list = docs.ResourceList($"{parts[1]}/{parts[2]}") ?? throw ApiException.NotFoundPath();
            await ResponseWriter.WriteBytesAsync(context, 200, list);
            return true;
        }
        return false;
    }

    /// <summary>Aggregated discovery when the client asks for it (v2 preferred, v2beta1 for older kubectl), legacy otherwise.</summary>
    private static Task WriteDiscoveryAsync(HttpContext context, string accept, byte[] legacy, byte[] v2, byte[] v2beta1)
    {
        context.Response.Headers.Vary = "Accept";
        if (accept.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal))
        {
            foreach (var part in accept.Split(','))
            {
                if (!part.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal)) continue;
                if (part.Contains("v=v2beta1", StringComparison.Ordinal)) return ResponseWriter.WriteBytesAsync(context, 200, v2beta1, DiscoveryDocuments.AggregatedV2Beta1);
                if (part.Contains("v=v2", StringComparison.Ordinal)) return ResponseWriter.WriteBytesAsync(context, 200, v2, DiscoveryDocuments.AggregatedV2);
            }
        }
        return ResponseWriter.WriteBytesAsync(context, 200, legacy);
    }
}
