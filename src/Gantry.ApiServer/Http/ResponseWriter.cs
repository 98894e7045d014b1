using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.ApiServer.Objects;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Http;

/// <summary>Writes JSON answers and Status errors.</summary>
public static class ResponseWriter
{
    /// <summary>JSON content type.</summary>
    public const string Json = "application/json";

    /// <summary>Writes pre-serialized JSON.</summary>
    public static Task WriteBytesAsync(HttpContext context, int status, byte[] json, string contentType = Json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = json.Length;
        return context.Response.Body.WriteAsync(json, context.RequestAborted).AsTask();
    }

    /// <summary>
    /// Writes a stored object with its resourceVersion stamped in straight into the response body: single-object GETs
    /// and writes answer this way, and an array of the whole answer per request was a large share of their garbage.
    /// </summary>
    public static Task WriteStoredAsync(HttpContext context, int status, ReadOnlyMemory<byte> stored, long revision)
    {
        var at = StoredObjectScan.InsertPointOf(stored.Span);
        if (at.InsertAt < 0) return WriteBytesAsync(context, status, ResourceVersionStamp.Apply(stored.Span, revision));
        context.Response.StatusCode = status;
        context.Response.ContentType = Json;
        context.Response.ContentLength = ResourceVersionStamp.StampedLength(stored.Length, revision, at.MetadataEmpty);
        var body = context.Response.BodyWriter;
        ResourceVersionStamp.Write(body, stored.Span, revision, at.InsertAt, at.MetadataEmpty);
        return body.FlushAsync(context.RequestAborted).AsTask();
    }

    /// <summary>Serializes and writes a JSON node.</summary>
    public static Task WriteJsonAsync(HttpContext context, int status, JsonNode node) =>
        WriteBytesAsync(context, status, ApiJson.Bytes(node));

    /// <summary>Writes a failure Status.</summary>
    public static Task WriteErrorAsync(HttpContext context, ApiException error)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        return WriteJsonAsync(context, error.Code, error.ToStatus());
    }

    /// <summary>A Success Status, as Kubernetes answers some deletes.</summary>
    public static JsonObject SuccessStatus(JsonObject? details = null)
    {
        var status = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success" };
        if (details is not null) status["details"] = details;
        return status;
    }
}
