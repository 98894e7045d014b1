using System.CommandLine;
using System.Net;
using Gantry.ApiServer;
using Microsoft.Extensions.Logging;

namespace Gantry.Cli;

/// <summary><c>gantry server</c>: the control plane in the foreground (k3s-style flags).</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir", "-d") { Description = "Folder for state, certificates and credentials", DefaultValueFactory = _ => DefaultDataDir() };
        var bind = new Option<string>("--bind-address") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var advertise = new Option<string?>("--advertise-address") { Description = "Address clients and agents use to reach the server" };
        var tlsSan = new Option<string[]>("--tls-san") { Description = "Extra name or IP for the serving certificate (repeatable)", AllowMultipleArgumentsPerToken = false };
        var port = new Option<int>("--https-listen-port") { Description = "HTTPS port", DefaultValueFactory = _ => 6443 };
        var kubeconfig = new Option<string?>("--write-kubeconfig", "-o") { Description = "Where to write the admin kubeconfig (default <data-dir>/kubeconfig.yaml)" };
        var datastore = new Option<string?>("--datastore-endpoint") { Description = "Store: sqlite://PATH (default: SQLite in the data dir) or memory://" };
        var disableControllers = new Option<bool>("--disable-controller-manager") { Description = "Do not run the workload controllers in this process" };
        var disableScheduler = new Option<bool>("--disable-scheduler") { Description = "Do not run the scheduler in this process" };
        var disableAgent = new Option<bool>("--disable-agent") { Description = "Do not run a node agent in this process" };
        var serviceCidr = new Option<string>("--service-cidr") { Description = "IPv4 network CIDR to use for service cluster IPs", DefaultValueFactory = _ => "10.43.0.0/16" };
        var nodePortRange = new Option<string>("--service-node-port-range") { Description = "Port range to reserve for services with NodePort visibility", DefaultValueFactory = _ => "30000-32767" };
        var nodeMonitorGracePeriod = GoDuration.Option("--node-monitor-grace-period",
            "How long a node may go without renewing its Lease before it is marked Unknown and tainted unreachable", TimeSpan.FromSeconds(40));
        var agentFlags = new AgentFlags();
        var command = new Command("server", "Run the control plane (API server on an embedded store) and this machine's node agent in the foreground")
        {
            dataDir, bind, advertise, tlsSan, port, kubeconfig, datastore, disableControllers, disableScheduler, disableAgent, nodeMonitorGracePeriod,
            serviceCidr, nodePortRange,
        };
        foreach (var flag in agentFlags.All) command.Options.Add(flag);
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!IPAddress.TryParse(result.GetValue(bind), out var bindAddress))
            {
                Console.Error.WriteLine($"gantry: --bind-address \"{result.GetValue(bind)}\" is not an IP address");
                return 2;
            }
            var options = new ServerOptions
            {
                DataDir = Path.GetFullPath(result.GetValue(dataDir)!),
                BindAddress = bindAddress,
                AdvertiseAddress = result.GetValue(advertise),
                TlsSans = result.GetValue(tlsSan) ?? [],
                HttpsPort = result.GetValue(port),
                KubeconfigPath = result.GetValue(kubeconfig) is { } k ? Path.GetFullPath(k) : null,
                DatastoreEndpoint = result.GetValue(datastore),
                ServiceCidr = result.GetValue(serviceCidr)!,
                ServiceNodePortRange = result.GetValue(nodePortRange)!,
                // Read from the flag itself: building the agent's options would load the node agent's assembly even with --disable-agent.
                ClusterDns = result.GetValue(agentFlags.ClusterDns)?.FirstOrDefault(),
            };
            try
            {
                // One console logger for the API server and its own agent (each would otherwise run its own, with a thread,
                // options and formatters): the agent's categories at Information, as `gantry agent` logs them; the rest at Warning.
                using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                    .AddFilter("Gantry.Node", LogLevel.Information).AddFilter("Gantry.Client", LogLevel.Information).AddFilter("Gantry.Cli", LogLevel.Information));
                await using var host = await ApiServerHost.StartAsync(options, loggers, cancellationToken);
                await using var components = ComponentRunner.Start(host, options.DataDir,
                    !result.GetValue(disableControllers), !result.GetValue(disableScheduler), result.GetValue(nodeMonitorGracePeriod), cancellationToken,
                    agentDataDir: result.GetValue(disableAgent) ? null : options.DataDir, agentFlags: agentFlags, parsed: result,
                    clusterCidr: result.GetValue(agentFlags.ClusterCidr)!, agentLoggers: loggers);
                // Printed once, at first start; it stays in <data-dir>/token.
                if (host.JoinTokenCreated)
                {
                    // Agents on other machines reach the server only when it listens on a non-loopback address.
                    var note = IPAddress.IsLoopback(bindAddress) ? "; agents on other machines need --bind-address set to a non-loopback address" : "";
                    Console.WriteLine($"gantry: join token {host.JoinToken} (kept in {Path.Combine(options.DataDir, "token")}{note})");
                }
                Console.WriteLine($"gantry: server ready at {host.Url}, kubeconfig {options.EffectiveKubeconfigPath}");
                using var idleStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var idle = IdleHeap.KeepSmallAsync(components.Started, idleStop.Token);
                await host.WaitForShutdownAsync(cancellationToken);
                await idleStop.CancelAsync();
                await idle;
                return 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                Console.Error.WriteLine($"gantry: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static string DefaultDataDir() =>
        Environment.UserName == "root" ? "/var/lib/gantry" : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gantry");
}
