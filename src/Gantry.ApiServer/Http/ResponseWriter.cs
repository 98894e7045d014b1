using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
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

    /// <summary>Serializes and writes a JSON node.</summary>
    public static Task WriteJsonAsync(HttpContext context, int status, JsonNode node) =>
        WriteBytesAsync(context, status, JsonSerializer.SerializeToUtf8Bytes(node, ApiJson.Options));

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
