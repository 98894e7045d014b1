using Gantry.Client;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Scheduler.Tests.Harness;

/// <summary>
/// A real API server in this process (memory store, HTTPS on 127.0.0.1), a client over its kubeconfig and a scheduler
/// running against it. Tests create nodes and pods and watch where the pods land.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly InProcessApiServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Scheduler Scheduler, Task Running)> _schedulers = [];

    private TestCluster(InProcessApiServer server) => _server = server;

    /// <summary>The client tests use to create objects and read results.</summary>
    public ApiClient Client => _server.Client;

    /// <summary>The admin kubeconfig, for running kubectl against the server.</summary>
    public string Kubeconfig => _server.Kubeconfig;

    /// <summary>Starts a server and, unless <paramref name="options"/> is null and <paramref name="withScheduler"/> false, a scheduler.</summary>
    public static async Task<TestCluster> StartAsync(SchedulerOptions? options = null, bool withScheduler = true)
    {
        var cluster = new TestCluster(await InProcessApiServer.StartAsync("gantry-sched-"));
        if (withScheduler) cluster.StartScheduler(options ?? new SchedulerOptions());
        return cluster;
    }

    /// <summary>Starts (another) scheduler against the server.</summary>
    public void StartScheduler(SchedulerOptions options)
    {
        var scheduler = new Scheduler(Client, options);
        _schedulers.Add((scheduler, scheduler.RunAsync(_stop.Token)));
    }

    /// <summary>Creates a Ready node with the given allocatable (= capacity), labels, taints and cordon flag.</summary>
    public async Task<V1Node> CreateNodeAsync(string name, string cpu = "4", string memory = "8Gi", int pods = 110,
        IDictionary<string, string>? labels = null, IList<V1Taint>? taints = null, bool unschedulable = false,
        IDictionary<string, string>? extra = null)
    {
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new(pods.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new("100Gi"),
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) resources[k] = new ResourceQuantity(v);
        var labelSet = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name };
        foreach (var (k, v) in labels ?? new Dictionary<string, string>()) labelSet[k] = v;
        var status = new V1NodeStatus
        {
            Capacity = resources,
            Allocatable = resources,
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastHeartbeatTime = DateTime.UtcNow, LastTransitionTime = DateTime.UtcNow }],
        };
        var created = await Client.For<V1Node>().CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labelSet },
            Spec = new V1NodeSpec { Taints = taints, Unschedulable = unschedulable },
            Status = status,
        });
        if (created.Status?.Allocatable is { Count: > 0 }) return created;
        created.Status = status;
        return await Client.For<V1Node>().UpdateStatusAsync(created);
    }

    /// <summary>A pod of one container requesting <paramref name="cpu"/> and <paramref name="memory"/>.</summary>
    public static V1Pod Pod(string name, string? cpu = "100m", string? memory = "64Mi", string ns = "default")
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null) requests["cpu"] = new ResourceQuantity(cpu);
        if (memory is not null) requests["memory"] = new ResourceQuantity(memory);
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "app", Image = "busybox", Resources = new V1ResourceRequirements { Requests = requests } }],
            },
        };
    }

    /// <summary>Creates a PriorityClass (pods name it in spec.priorityClassName; the API server sets their spec.priority).</summary>
    public Task<V1PriorityClass> CreatePriorityClassAsync(string name, int value, string? preemptionPolicy = null) =>
        Client.For<V1PriorityClass>().CreateAsync(new V1PriorityClass
        {
            Metadata = new V1ObjectMeta { Name = name },
            Value = value,
            PreemptionPolicy = preemptionPolicy,
        });

    /// <summary>Creates a pod in its namespace.</summary>
    public Task<V1Pod> CreatePodAsync(V1Pod pod) => Client.For<V1Pod>().CreateAsync(pod);

    /// <summary>The node a pod was bound to, once it is.</summary>
    public async Task<string> WaitForNodeAsync(V1Pod pod, TimeSpan? timeout = null)
    {
        string? node = null;
        await EventuallyAsync(async () =>
        {
            node = (await Client.For<V1Pod>().GetAsync(pod.Namespace(), pod.Name()))?.Spec.NodeName;
            return !string.IsNullOrEmpty(node);
        }, $"pod {pod.Name()} to be bound", timeout);
        return node!;
    }

    /// <summary>The events about a pod.</summary>
    public async Task<IReadOnlyList<Corev1Event>> EventsAsync(V1Pod pod) =>
        (await Client.For<Corev1Event>().ListAsync(pod.Namespace())).Items.Where(e => e.InvolvedObject.Name == pod.Name()).ToList();

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/> (default 20 s).</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(condition, what, timeout, TimeSpan.FromMilliseconds(25));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var (scheduler, running) in _schedulers)
        {
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await scheduler.DisposeAsync();
        }
        _stop.Dispose();
        await _server.DisposeAsync();
    }
}
