using Gantry.ApiServer;
using Gantry.Client;
using Gantry.Controllers;

namespace Gantry.Cli;

/// <summary>
/// The components <c>gantry server</c> runs beside the API server. They talk to it through the same client as over HTTPS,
/// so each can also run on its own machine; here the client's handler hands requests to the server's pipeline in process
/// (<see cref="ApiServerHost.CreateInProcessHandler"/>), which spares both sides the TLS and HTTP/2 stacks and their
/// connection buffers. Identities are unchanged: the admin kubeconfig's token, and the node's client certificate.
/// </summary>
internal sealed class ComponentRunner : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    // Plain interfaces, so an API server without components never loads the client and controller assemblies.
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<Task> _running = [];

    private ComponentRunner(CancellationTokenSource stop) => _stop = stop;

    /// <summary>
    /// Completes once the components have started: when this process runs a node agent, once its Node reports Ready (that is
    /// when the agent's startup work is done); at once otherwise.
    /// </summary>
    public Task Started { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Starts the enabled components of <paramref name="server"/>, whose admin token and CA are in <paramref name="dataDir"/>;
    /// with none enabled no client is even built (the API server alone). A node agent keeping
    /// its state under <paramref name="agentDataDir"/> runs beside them unless that is null; its options are read from
    /// <paramref name="agentFlags"/> only then, so a server without an agent never loads the agent's assembly; it logs
    /// through <paramref name="agentLoggers"/> (its own console logger when null).
    /// </summary>
    public static ComponentRunner Start(ApiServerHost server, string dataDir, bool controllers, bool scheduler, TimeSpan nodeMonitorGracePeriod, CancellationToken cancellationToken,
        string? agentDataDir = null, AgentFlags? agentFlags = null, System.CommandLine.ParseResult? parsed = null, string clusterCidr = "10.42.0.0/16",
        Microsoft.Extensions.Logging.ILoggerFactory? agentLoggers = null)
    {
        var runner = new ComponentRunner(CancellationTokenSource.CreateLinkedTokenSource(cancellationToken));
        if (controllers || scheduler) runner.StartComponents(server, dataDir, controllers, scheduler, nodeMonitorGracePeriod, clusterCidr);
        if (agentDataDir is not null && agentFlags is not null && parsed is not null) runner.StartAgent(server, agentDataDir, agentFlags, parsed, agentLoggers);
        return runner;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void StartAgent(ApiServerHost server, string dataDir, AgentFlags flags, System.CommandLine.ParseResult parsed, Microsoft.Extensions.Logging.ILoggerFactory? loggers)
    {
        var options = flags.Options(parsed);
        // The server's own agent holds the CA key: it signs the certificate its streaming server presents to the API server,
        // and the agent's node credentials, so it is held to the Node authorizer like every other node.
        var ca = AgentHost.LoadClusterCa(Path.Combine(dataDir, "tls", "ca.crt"));
        var certificate = Gantry.ApiServer.Proxy.KubeletCertificates.IssueNodeClient(ca, options.NodeName);
        var client = new ApiClient(server.CreateInProcessHandler(certificate), new Uri(server.Url));
        var agent = AgentCommand.RunAsync(client, options, new Gantry.Node.NodePaths(dataDir, options.NodeName), ca, _stop.Token, loggers: loggers);
        _running.Add(agent);
        Started = WaitForNodeReadyAsync(client, options.NodeName, agent, _stop.Token);
    }

    // Done when the node is Ready, or when the agent stopped (it failed to start: nothing more to wait for).
    private static async Task WaitForNodeReadyAsync(ApiClient client, string nodeName, Task agent, CancellationToken cancellationToken)
    {
        var nodes = client.For<k8s.Models.V1Node>();
        while (!agent.IsCompleted)
        {
            try
            {
                var node = await nodes.GetAsync(null, nodeName, cancellationToken);
                if (node?.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true) return;
            }
            catch (Exception ex) when (ex is ApiClientException or HttpRequestException or TimeoutException or ObjectDisposedException)
            {
                // Not registered yet or the server is busy: ask again (the agent disposes its client when it stops: done then).
            }
            await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, cancellationToken);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void StartComponents(ApiServerHost server, string dataDir, bool controllers, bool scheduler, TimeSpan nodeMonitorGracePeriod, string clusterCidr)
    {
        // The admin kubeconfig's bearer token and CA, read where the server keeps them (the kubeconfig is written from these;
        // reading it back would load a YAML parser for two values).
        var admin = Gantry.ApiServer.Security.AdminCredentials.LoadOrCreate(dataDir);
        var client = new ApiClient(server.CreateInProcessHandler(), new Uri(server.Url), admin.Token);
        _owned.Add(new SyncDisposal(client));
        if (controllers)
        {
            var rootCa = File.ReadAllText(Path.Combine(dataDir, "tls", "ca.crt"));
            var manager = new ControllerManager(client, ControllerCatalog.All.Values, options: new ControllerOptions
            {
                RootCaPem = rootCa,
                NodeMonitorGracePeriod = nodeMonitorGracePeriod,
                ClusterCidr = clusterCidr,
            });
            _owned.Insert(0, manager);
            _running.Add(manager.RunAsync(_stop.Token));
        }
        if (scheduler)
        {
            var placement = new Gantry.Scheduler.Scheduler(client, new Gantry.Scheduler.SchedulerOptions());
            _owned.Insert(0, placement);
            _running.Add(placement.RunAsync(_stop.Token));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var owned in _owned) await owned.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>Adapts an IDisposable to the runner's list.</summary>
    private sealed class SyncDisposal(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
