using System.Text.Json.Nodes;

namespace Gantry.ApiServer;

/// <summary>The /version answer: Gantry reports the Kubernetes API level it implements (1.32).</summary>
public static class VersionInfo
{
    /// <summary>The Kubernetes minor version whose API Gantry serves.</summary>
    public const string Minor = "32";

    /// <summary>The version document.</summary>
    public static JsonObject Json => new()
    {
        ["major"] = "1",
        ["minor"] = Minor,
        ["gitVersion"] = $"v1.{Minor}.0+gantry",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-11-25T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };
}
