using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Gantry.Client;
using Gantry.Client.Transport;
using Gantry.Node;
using Gantry.Node.Pods;
using Microsoft.Extensions.Logging;

namespace Gantry.Cli;

/// <summary><c>gantry agent --server URL --token TOKEN</c>: a node agent (kubelet) joining a cluster.</summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server", "-s") { Description = "URL of the API server, e.g. https://10.0.0.1:6443", Required = true };
        var token = new Option<string>("--token", "-t") { Description = "Token to join the cluster with", Required = true };
        var caFile = new Option<string?>("--ca-file") { Description = "CA certificate of the API server (default <data-dir>/tls/ca.crt)" };
        var dataDir = new Option<string>("--data-dir", "-d") { Description = "Folder for the agent's state", DefaultValueFactory = _ => DefaultDataDir() };
        var flags = new AgentFlags();
        var command = new Command("agent", "Run a node agent that runs the pods bound to this node") { server, token, caFile, dataDir };
        foreach (var flag in flags.All) command.Options.Add(flag);
        command.SetAction(async (result, cancellationToken) =>
        {
            var dir = Path.GetFullPath(result.GetValue(dataDir)!);
            var ca = result.GetValue(caFile) ?? Path.Combine(dir, "tls", "ca.crt");
            if (!Uri.TryCreate(result.GetValue(server), UriKind.Absolute, out var url) || url.Scheme != "https")
            {
                Console.Error.WriteLine($"gantry: --server \"{result.GetValue(server)}\" is not an https:// URL");
                return 2;
            }
            if (!File.Exists(ca))
            {
                Console.Error.WriteLine($"gantry: the API server's CA certificate {ca} does not exist (pass --ca-file)");
                return 2;
            }
            var clusterCa = AgentHost.LoadClusterCa(ca);
            var connection = new ClusterConnection { Server = url, BearerToken = result.GetValue(token), CertificateAuthorities = [clusterCa] };
            var options = flags.Options(result);
            return await RunAsync(new ApiClient(connection), options, new NodePaths(dir, options.NodeName), clusterCa, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs an agent until cancelled; used by <c>gantry agent</c> and by <c>gantry server</c>'s own agent.</summary>
    public static async Task<int> RunAsync(ApiClient client, NodeAgentOptions options, NodePaths paths, X509Certificate2 clusterCa, CancellationToken cancellationToken)
    {
        using var owned = client;
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        try
        {
            await AgentHost.RunAsync(client, options, paths, clusterCa, loggers, cancellationToken);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or FileNotFoundException)
        {
            Console.Error.WriteLine($"gantry: agent: {ex.Message}");
            return 1;
        }
    }

    private static string DefaultDataDir() =>
        Environment.UserName == "root" ? "/var/lib/gantry" : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gantry");
}
