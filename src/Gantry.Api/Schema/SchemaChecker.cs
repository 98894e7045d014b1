using System.Text.Json.Nodes;

namespace Gantry.Api.Schema;

/// <summary>Placeholder replaced by the openapi branch.</summary>
public static class SchemaChecker
{
    /// <summary>Checks and prunes an object against its kind's schema.</summary>
    public static SchemaReport Check(JsonObject obj, string apiVersion, string kind) => new([], []);
}

/// <summary>Placeholder replaced by the openapi branch.</summary>
public sealed record SchemaReport(IReadOnlyList<string> UnknownFields, IReadOnlyList<string> TypeErrors);

/// <summary>Placeholder replaced by the openapi branch.</summary>
public static class OpenApiV3
{
    /// <summary>The /openapi/v3 index.</summary>
    public static JsonObject Index() => new() { ["paths"] = new JsonObject() };

    /// <summary>A group-version document.</summary>
    public static byte[]? Document(string groupVersionPath) => null;
}
