using System.Text;
using System.Text.Json.Nodes;

namespace Gantry.Node.Network;

/// <summary>
/// Runs one CNI plugin as the spec says: parameters in CNI_* environment variables, the network configuration on stdin,
/// the result (or an error object with code and msg) on stdout.
/// </summary>
internal sealed class CniPluginRunner(string pluginDir)
{
    /// <summary>Runs <paramref name="command"/> (ADD, DEL, CHECK) of the plugin named by the config's "type".</summary>
    public async Task<JsonObject?> RunAsync(string command, JsonObject config, CniInvocation invocation, CancellationToken cancellationToken)
    {
        var type = (string?)config["type"] ?? throw new InvalidOperationException("CNI plugin config without a type");
        var environment = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = invocation.ContainerId,
            ["CNI_NETNS"] = invocation.NetworkNamespace,
            ["CNI_IFNAME"] = invocation.InterfaceName,
            ["CNI_ARGS"] = invocation.Args,
            ["CNI_PATH"] = pluginDir,
            // The plugins run iptables and sysctl helpers: make sure the sbin directories are searched.
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        };
        var result = await HostCommand.RunAsync(Path.Combine(pluginDir, type), [], config.ToJsonString(), cancellationToken, environment)
            .ConfigureAwait(false);
        if (!result.Succeeded) throw Failure(type, result);
        return string.IsNullOrWhiteSpace(result.Output) ? null : JsonNode.Parse(result.Output) as JsonObject;
    }

    /// <summary>The spec's error object ({code, msg, details}) when the plugin printed one, its stderr otherwise.</summary>
    private static CniException Failure(string type, HostCommand.Result result)
    {
        try
        {
            if (JsonNode.Parse(result.Output) is JsonObject error && error["code"] is JsonValue code)
            {
                return new CniException(type, (int)code, (string?)error["msg"] ?? "", (string?)error["details"]);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the raw output below says what happened.
        }
        var text = new StringBuilder(result.Output.Trim());
        if (result.Error.Trim().Length > 0) text.Append(text.Length > 0 ? "; " : "").Append(result.Error.Trim());
        return new CniException(type, 999, text.Length > 0 ? text.ToString() : $"exit code {result.ExitCode}");
    }
}
