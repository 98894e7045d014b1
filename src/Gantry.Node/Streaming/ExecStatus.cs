using System.Text;
using System.Text.Json.Nodes;

namespace Gantry.Node.Streaming;

/// <summary>
/// What the error stream carries when an exec or attach ends. Protocol v4+ sends a v1 Status (Success, or Failure
/// with reason NonZeroExitCode and an ExitCode cause kubectl turns into its own exit code); older ones send plain
/// text, and nothing on success.
/// </summary>
internal static class ExecStatus
{
    /// <summary>The bytes to send for an exit code, or null when nothing is sent.</summary>
    public static byte[]? ForExit(int exitCode, IReadOnlyList<string> command, int version)
    {
        if (exitCode == 0) return version >= 4 ? Encode(new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }) : null;
        var message = $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {exitCode}";
        if (version < 4) return Encoding.UTF8.GetBytes(message);
        return Encode(new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            },
        });
    }

    /// <summary>The bytes to send for a failure that is not an exit code (the command could not run).</summary>
    public static byte[] ForError(string message, int version) => version < 4
        ? Encoding.UTF8.GetBytes(message)
        : Encode(new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = "InternalError",
            ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) },
            ["code"] = 500,
        });

    private static byte[] Encode(JsonObject status)
    {
        status["kind"] = "Status";
        status["apiVersion"] = "v1";
        return Encoding.UTF8.GetBytes(status.ToJsonString());
    }
}
