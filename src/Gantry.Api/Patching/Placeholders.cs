using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>Placeholder replaced by the patching branch.</summary>
public static class ServerSideApply
{
    /// <summary>Applies a configuration.</summary>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, string apiVersion, string kind, DateTimeOffset now) =>
        throw new NotSupportedException();
}

/// <summary>Placeholder replaced by the patching branch.</summary>
public sealed record ApplyResult(JsonObject Object);
