using System.Text;
using Gantry.Bench.Server;

namespace Gantry.Bench.Scheduler;

/// <summary>
/// A control plane without a scheduler (API server on the durable store, no controllers) plus N hollow nodes in their
/// own process; the scheduler under test is started later, in its own process, as kube-scheduler would be.
/// </summary>
internal sealed class SchedulerCluster : IAsyncDisposable
{
    private readonly string _gantry;

    private SchedulerCluster(string gantry, ServerProcess server, GantryProcess nodes, HttpClient[] clients)
    {
        _gantry = gantry;
        Server = server;
        Nodes = nodes;
        Clients = clients;
    }

    public ServerProcess Server { get; }

    public GantryProcess Nodes { get; }

    public HttpClient[] Clients { get; }

    public string Kubeconfig => Path.Combine(Server.DataDir, "kubeconfig.yaml");

    /// <summary>Starts the server and <paramref name="nodeCount"/> hollow nodes of 8 cpu / 32Gi / 110 pods.</summary>
    public static async Task<SchedulerCluster> StartAsync(string gantry, int nodeCount, int connections, string leaseInterval)
    {
        var server = await ServerProcess.StartAsync(gantry, null, "--disable-controller-manager", "--disable-scheduler");
        try
        {
            var nodes = await GantryProcess.StartAsync(gantry, "hollow nodes registered", TimeSpan.FromMinutes(5),
                "simulate", "nodes", "--kubeconfig", Path.Combine(server.DataDir, "kubeconfig.yaml"), "--count", nodeCount.ToString(),
                "--cpu", "8", "--memory", "32Gi", "--lease-interval", leaseInterval);
            var clients = Enumerable.Range(0, connections).Select(_ => ApiClient.Create(server)).ToArray();
            return new SchedulerCluster(gantry, server, nodes, clients);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts `gantry scheduler` against this cluster.</summary>
    public Task<GantryProcess> StartSchedulerAsync() =>
        GantryProcess.StartAsync(_gantry, "scheduler", TimeSpan.FromMinutes(1), "scheduler", "--kubeconfig", Kubeconfig);

    /// <summary>A pod requesting <paramref name="cpu"/> and <paramref name="memory"/> (one container, no node chosen).</summary>
    public static byte[] Pod(string name, string cpu, string memory)
    {
        var resources = $$$"""{"requests":{"cpu":"{{{cpu}}}","memory":"{{{memory}}}"},"limits":{"cpu":"{{{cpu}}}","memory":"{{{memory}}}"}}""";
        return Encoding.UTF8.GetBytes(
            $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"bench"}},"spec":{"containers":[{"name":"app","image":"registry.local/app:1","resources":""" +
            resources + "}]}}");
    }

    /// <summary>Creates pods named <c>{prefix}{i:D6}</c> with up to <paramref name="concurrency"/> requests in flight.</summary>
    public async Task CreatePodsAsync(string ns, string prefix, int count, int concurrency, Func<int, (string Cpu, string Memory)> requests)
    {
        await ApiClient.CreateNamespaceAsync(Clients[0], ns);
        string? firstError = null;
        long failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, token) =>
        {
            var (cpu, memory) = requests(i);
            var error = await ApiClient.PostAsync(Clients[i % Clients.Length], $"/api/v1/namespaces/{ns}/pods", Pod($"{prefix}{i:D6}", cpu, memory), token);
            if (error is null) return;
            Interlocked.Increment(ref failed);
            Interlocked.CompareExchange(ref firstError, error, null);
        });
        if (failed > 0) throw new InvalidOperationException($"{failed} of {count} pod creates failed, first: {firstError}");
    }

    /// <summary>The current resourceVersion of the pods collection.</summary>
    public async Task<string> PodsRevisionAsync()
    {
        using var list = await Controllers.ControllerApi.GetAsync(Clients[0], "/api/v1/pods?limit=1");
        return list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    public void EnsureRunning()
    {
        Server.EnsureRunning();
        Nodes.EnsureRunning();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Clients) client.Dispose();
        await Nodes.DisposeAsync();
        await Server.DisposeAsync();
    }
}
