using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>Placeholder replaced by the patching branch.</summary>
public static class JsonPatch
{
    /// <summary>Applies RFC 6902 operations.</summary>
    public static JsonNode Apply(JsonNode document, JsonArray operations) => throw new NotSupportedException();
}

/// <summary>Placeholder replaced by the patching branch.</summary>
public static class MergePatch
{
    /// <summary>Applies an RFC 7386 merge patch.</summary>
    public static JsonNode Apply(JsonNode document, JsonObject patch) => throw new NotSupportedException();
}

/// <summary>Placeholder replaced by the patching branch.</summary>
public static class StrategicMergePatch
{
    /// <summary>Applies a strategic merge patch.</summary>
    public static JsonObject Apply(JsonObject original, JsonObject patch, string apiVersion, string kind) => throw new NotSupportedException();
}

/// <summary>Placeholder replaced by the patching branch.</summary>
public static class ServerSideApply
{
    /// <summary>Applies a configuration.</summary>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, string apiVersion, string kind, DateTimeOffset now) =>
        throw new NotSupportedException();
}

/// <summary>Placeholder replaced by the patching branch.</summary>
public sealed record ApplyResult(JsonObject Object);
