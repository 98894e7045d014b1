using Gantry.Client;
using Gantry.Controllers;
using Gantry.Controllers.Deployment;
using Gantry.Controllers.NodeLifecycle;
using Gantry.Controllers.ReplicaSet;
using Gantry.Testing;

namespace Gantry.Simulation.Tests;

/// <summary>
/// A whole control plane in this process — API server (memory store), the ReplicaSet, Deployment, node lifecycle and
/// taint eviction controllers with compressed node timings, and the scheduler — plus a pool of hollow nodes.
/// </summary>
public sealed class SimulatedCluster : IAsyncDisposable
{
    /// <summary>Grace period after which a silent node is Unknown (40 s in Kubernetes).</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(3);

    private readonly InProcessApiServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly ControllerManager _manager;
    private readonly Gantry.Scheduler.Scheduler _scheduler;
    private readonly Task _running;

    private SimulatedCluster(InProcessApiServer server, int nodes, TimeSpan leaseInterval)
    {
        _server = server;
        var client = server.Client;
        _manager = new ControllerManager(client,
            [c => new ReplicaSetController(c), c => new DeploymentController(c), c => new NodeLifecycleController(c), c => new TaintEvictionController(c)],
            options: new ControllerOptions { NodeMonitorGracePeriod = GracePeriod, NodeMonitorPeriod = TimeSpan.FromMilliseconds(500) });
        _scheduler = new Gantry.Scheduler.Scheduler(client, new Gantry.Scheduler.SchedulerOptions());
        Nodes = new HollowCluster(client, nodes, new HollowNodeOptions { Name = "hollow-", Cpu = "4", Memory = "8Gi", LeaseInterval = leaseInterval });
        _running = Task.WhenAll(_manager.RunAsync(_stop.Token), _scheduler.RunAsync(_stop.Token), Nodes.RunAsync(_stop.Token));
    }

    /// <summary>The client tests use.</summary>
    public ApiClient Client => _server.Client;

    /// <summary>The hollow nodes.</summary>
    public HollowCluster Nodes { get; }

    /// <summary>Starts everything with <paramref name="nodes"/> hollow nodes renewing their Leases every <paramref name="leaseInterval"/>.</summary>
    public static async Task<SimulatedCluster> StartAsync(int nodes, TimeSpan leaseInterval)
    {
        var cluster = new SimulatedCluster(await InProcessApiServer.StartAsync("gantry-sim-"), nodes, leaseInterval);
        await cluster.Nodes.WaitForRegistrationAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return cluster;
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/> (default 20 s).</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(condition, what, timeout, TimeSpan.FromMilliseconds(100));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _scheduler.DisposeAsync();
        await _manager.DisposeAsync();
        _stop.Dispose();
        await _server.DisposeAsync();
    }
}
