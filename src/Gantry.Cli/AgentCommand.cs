using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Gantry.ApiServer.Security.Join;
using Gantry.Client;
using Gantry.Client.Transport;
using Gantry.Node;
using Gantry.Node.Pods;
using Microsoft.Extensions.Logging;

namespace Gantry.Cli;

/// <summary>
/// <c>gantry agent --server URL --token TOKEN</c>: a node agent (kubelet) joining a cluster. A K10 join token (from the
/// server's <c>&lt;data-dir&gt;/token</c> or <c>gantry token create</c>) makes it verify the server's CA from the token
/// and run with its own node credentials; any other token is used as a bearer token with the CA of <c>--ca-file</c>.
/// </summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server", "-s") { Description = "URL of the API server, e.g. https://10.0.0.1:6443", Required = true };
        var token = new Option<string>("--token", "-t") { Description = "Join token (K10...) or bearer token of the cluster", Required = true };
        var caFile = new Option<string?>("--ca-file") { Description = "CA certificate of the API server for a bearer token (default <data-dir>/tls/ca.crt); a K10 token carries the CA's hash instead" };
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
            var options = flags.Options(result);
            var joinToken = JoinToken.Parse(result.GetValue(token)!);
            if (joinToken.CaHash is not null) return await JoinAndRunAsync(url, joinToken, dir, options, cancellationToken);
            if (!File.Exists(ca))
            {
                Console.Error.WriteLine($"gantry: the API server's CA certificate {ca} does not exist (pass --ca-file)");
                return 2;
            }
            var clusterCa = AgentHost.LoadClusterCa(ca);
            var connection = new ClusterConnection { Server = url, BearerToken = result.GetValue(token), CertificateAuthorities = [clusterCa] };
            return await RunAsync(new ApiClient(connection), options, new NodePaths(dir, options.NodeName), clusterCa, cancellationToken);
        });
        return command;
    }

    private static async Task<int> JoinAndRunAsync(Uri url, JoinToken token, string dir, NodeAgentOptions options, CancellationToken cancellationToken)
    {
        NodeJoin.Credentials credentials;
        try
        {
            credentials = await NodeJoin.JoinAsync(url, token, dir, options.NodeName, AgentHost.NodeAddresses(options), cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine($"gantry: agent: {ex.Message}");
            return 1;
        }
        var connection = new ClusterConnection { Server = url, ClientCertificate = credentials.Client, CertificateAuthorities = [credentials.Ca] };
        return await RunAsync(new ApiClient(connection), options, new NodePaths(dir, options.NodeName), credentials.Ca, cancellationToken, credentials.Serving);
    }

    /// <summary>
    /// Runs an agent until cancelled; used by <c>gantry agent</c> and by <c>gantry server</c>'s own agent, which logs through
    /// the server's <paramref name="loggers"/>. A CA-signed <paramref name="servingCertificate"/> (from the join) is what the
    /// streaming server presents; without one it is issued here.
    /// </summary>
    public static async Task<int> RunAsync(ApiClient client, NodeAgentOptions options, NodePaths paths, X509Certificate2 clusterCa, CancellationToken cancellationToken,
        X509Certificate2? servingCertificate = null, ILoggerFactory? loggers = null)
    {
        using var owned = client;
        using var ownLoggers = loggers is null ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information)) : null;
        loggers ??= ownLoggers!;
        try
        {
            await AgentHost.RunAsync(client, options, paths, clusterCa, loggers, cancellationToken, servingCertificate);
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
