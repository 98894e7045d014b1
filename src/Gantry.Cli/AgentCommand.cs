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
        var nodeName = new Option<string>("--node-name") { Description = "Name of this node", DefaultValueFactory = _ => Environment.MachineName.ToLowerInvariant() };
        var maxPods = new Option<int>("--max-pods") { Description = "Most pods this node runs", DefaultValueFactory = _ => 110 };
        var nodeIp = new Option<string?>("--node-ip") { Description = "Address to report as the node's InternalIP (default: the first non-loopback IPv4 address)" };
        var podCidr = new Option<string?>("--pod-cidr") { Description = "Pod range to use while the Node has no spec.podCIDR" };
        var clusterDns = new Option<string[]>("--cluster-dns") { Description = "DNS server of ClusterFirst pods (repeatable); unset leaves them with the host's resolver" };
        var clusterDomain = new Option<string>("--cluster-domain") { Description = "The cluster's DNS domain", DefaultValueFactory = _ => "cluster.local" };
        var command = new Command("agent", "Run a node agent that runs the pods bound to this node")
        {
            server, token, caFile, dataDir, nodeName, maxPods, nodeIp, podCidr, clusterDns, clusterDomain,
        };
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
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(ca);
            var connection = new ClusterConnection { Server = url, BearerToken = result.GetValue(token), CertificateAuthorities = authorities };
            var options = new NodeAgentOptions
            {
                NodeName = result.GetValue(nodeName)!,
                MaxPods = result.GetValue(maxPods),
                NodeIp = result.GetValue(nodeIp),
                PodCidr = result.GetValue(podCidr),
                ClusterDns = result.GetValue(clusterDns) ?? [],
                ClusterDomain = result.GetValue(clusterDomain)!,
            };
            return await RunAsync(new ApiClient(connection), options, new NodePaths(dir, options.NodeName), cancellationToken);
        });
        return command;
    }

    /// <summary>Runs an agent until cancelled; used by <c>gantry agent</c> and by <c>gantry server</c>'s own agent.</summary>
    public static async Task<int> RunAsync(ApiClient client, NodeAgentOptions options, NodePaths paths, CancellationToken cancellationToken)
    {
        using var owned = client;
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        NodeAgent agent;
        try
        {
            agent = AgentFactory.Create(client, options, paths, loggers);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine($"gantry: agent: {ex.Message}");
            return 1;
        }
        await using (agent)
        {
            Console.WriteLine($"gantry: agent {options.NodeName} running");
            await agent.RunAsync(cancellationToken);
        }
        return 0;
    }

    private static string DefaultDataDir() =>
        Environment.UserName == "root" ? "/var/lib/gantry" : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gantry");
}
