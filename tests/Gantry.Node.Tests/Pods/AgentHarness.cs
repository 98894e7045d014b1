using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Node.Pods;
using Gantry.Node.Runtime;
using Gantry.Testing;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Tests.Pods;

/// <summary>
/// A real API server in the process, and a node agent over a <see cref="FakeRuntime"/> and in-memory fakes of the
/// other seams, with timings compressed so restarts, back-offs and heartbeats happen within a test.
/// </summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    public const string NodeName = "node-1";
    private CancellationTokenSource? _stop;
    private Task? _run;
    private NodeAgent? _agent;

    private AgentHarness(InProcessApiServer server, string dataDir)
    {
        Server = server;
        DataDir = dataDir;
        Paths = new NodePaths(dataDir, NodeName) { PodLogsDir = Path.Combine(dataDir, "pod-logs") };
        Volumes = new FakeVolumeManager(Path.Combine(dataDir, "volumes"));
    }

    public InProcessApiServer Server { get; }
    public ApiClient Client => Server.Client;
    public string DataDir { get; }
    public NodePaths Paths { get; }
    public FakeRuntime Runtime { get; } = new();
    public FakeImageService Images { get; } = new();
    public FakePodNetwork Network { get; } = new();
    public FakeVolumeManager Volumes { get; }
    public ConcurrentQueue<string> Log { get; } = new();

    public NodeAgentOptions Options { get; set; } = new()
    {
        NodeName = NodeName,
        NodeIp = "127.0.0.1",
        PodCidr = "10.88.0.0/24",
        NodeStatusUpdateFrequency = TimeSpan.FromMilliseconds(200),
        NodeLeaseRenewInterval = TimeSpan.FromMilliseconds(200),
        RuntimeRelistPeriod = TimeSpan.FromMilliseconds(50),
        HousekeepingInterval = TimeSpan.FromMilliseconds(200),
        SyncFrequency = TimeSpan.FromSeconds(5),
        CrashLoopBackOffInitial = TimeSpan.FromMilliseconds(400),
        CrashLoopBackOffMax = TimeSpan.FromSeconds(3),
        CrashLoopBackOffReset = TimeSpan.FromSeconds(6),
        ImagePullBackOffInitial = TimeSpan.FromMilliseconds(500),
        ImagePullBackOffMax = TimeSpan.FromSeconds(3),
        SyncErrorBackOff = TimeSpan.FromMilliseconds(200),
        Machine = new MachineInfo { CpuCount = 4, MemoryBytes = 8L << 30, EphemeralStorageBytes = 100L << 30, KernelVersion = "6.1.0-test", OsImage = "Test Linux" },
    };

    public static async Task<AgentHarness> StartAsync(Func<NodeAgentOptions, NodeAgentOptions>? configure = null)
    {
        var server = await InProcessApiServer.StartAsync("gantry-agent-test");
        var harness = new AgentHarness(server, Directory.CreateTempSubdirectory("gantry-agent-data").FullName);
        if (configure is not null) harness.Options = configure(harness.Options);
        await harness.StartAgentAsync();
        return harness;
    }

    /// <summary>Starts an agent over the harness's runtime and waits for its registration.</summary>
    public async Task StartAgentAsync()
    {
        _stop = new CancellationTokenSource();
        _agent = new NodeAgent(Client, Options, Paths, Runtime, Images, Network, Volumes, TimeProvider.System, new LoggerFactory([new QueueLoggerProvider(Log)]));
        _run = _agent.RunAsync(_stop.Token);
        await _agent.WaitForRegistrationAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Stops the agent without touching its containers (as kill -9 would).</summary>
    public async Task StopAgentAsync()
    {
        if (_stop is null || _run is null || _agent is null) return;
        await _stop.CancelAsync();
        await _run;
        await _agent.DisposeAsync();
        _stop.Dispose();
        _stop = null;
    }

    public Task<V1Pod> CreatePodAsync(string name, V1PodSpec spec)
    {
        spec.NodeName ??= NodeName;
        return Client.For<V1Pod>().CreateAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" }, Spec = spec });
    }

    public static V1Container Container(string name, params string[] command) =>
        new() { Name = name, Image = "busybox:1.36", Command = command.Length == 0 ? null : command };

    /// <summary>Polls the pod until <paramref name="condition"/> holds; returns it.</summary>
    public async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> condition, string what, TimeSpan? timeout = null)
    {
        V1Pod? pod = null;
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                pod = await Client.For<V1Pod>().GetAsync("default", name);
                return pod is not null && condition(pod);
            }, what, timeout ?? TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; pod status: {k8s.KubernetesJson.Serialize(pod?.Status)}; log: {string.Join(" | ", Log)}", ex);
        }
        return pod!;
    }

    public string RunningContainer(V1Pod pod, string name) =>
        Runtime.FindRunning(pod.Metadata.Uid, name) ?? throw new InvalidOperationException($"{name} is not running");

    public async Task<IReadOnlyList<Corev1Event>> EventsAsync(string podName) =>
        (await Client.For<Corev1Event>().ListAsync("default")).Items.Where(e => e.InvolvedObject.Name == podName).ToList();

    public async ValueTask DisposeAsync()
    {
        await StopAgentAsync();
        await Server.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> queue) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(queue);
        public void Dispose() { }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> queue) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) queue.Enqueue(formatter(state, exception) + (exception is null ? "" : ": " + exception));
        }
    }
}
