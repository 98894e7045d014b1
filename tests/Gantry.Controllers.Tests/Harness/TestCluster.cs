using Gantry.Client;
using Gantry.Controllers;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Controllers.Tests.Harness;

/// <summary>
/// A real API server in this process (memory store, HTTPS on 127.0.0.1), a client over its kubeconfig and, optionally,
/// a controller manager running the given controllers. Tests drive pod status themselves (no node agent yet).
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly InProcessApiServer _server;
    private CancellationTokenSource _stop = new();
    private ControllerManager? _manager;
    private Task? _running;

    private TestCluster(InProcessApiServer server) => _server = server;

    /// <summary>The client tests use to create objects and read results.</summary>
    public ApiClient Client => _server.Client;

    /// <summary>The kubeconfig of the server.</summary>
    public string Kubeconfig => _server.Kubeconfig;

    /// <summary>Starts a server and, when factories are given, the controllers.</summary>
    public static async Task<TestCluster> StartAsync(params Func<ControllerContext, IController>[] controllers) =>
        await StartAsync(new ControllerOptions(), controllers);

    /// <summary>Starts a server and the controllers with the given options (e.g. compressed timings).</summary>
    public static async Task<TestCluster> StartAsync(ControllerOptions options, params Func<ControllerContext, IController>[] controllers)
    {
        var cluster = new TestCluster(await InProcessApiServer.StartAsync("gantry-ctl-"));
        if (controllers.Length > 0) cluster.StartControllers(options, controllers);
        return cluster;
    }

    /// <summary>Starts (or restarts, after <see cref="StopControllersAsync"/>) a controller manager.</summary>
    public void StartControllers(ControllerOptions options, params Func<ControllerContext, IController>[] controllers)
    {
        _manager = new ControllerManager(Client, controllers, options: options);
        _running = _manager.RunAsync(_stop.Token);
    }

    /// <summary>Stops the controllers (a controller restart mid-way in tests).</summary>
    public async Task StopControllersAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null) await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_manager is not null) await _manager.DisposeAsync();
        _manager = null;
        _stop.Dispose();
        _stop = new CancellationTokenSource();
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/> (default 20 s).</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(condition, what, timeout);

    /// <summary>Marks a pod Running and Ready through the status subresource, as a node agent would.</summary>
    public async Task<V1Pod> MarkPodReadyAsync(V1Pod pod, bool ready = true)
    {
        var now = DateTime.UtcNow;
        var fresh = await Client.For<V1Pod>().GetAsync(pod.Namespace(), pod.Name()) ?? throw new InvalidOperationException("pod vanished");
        fresh.Status ??= new V1PodStatus();
        fresh.Status.Phase = "Running";
        fresh.Status.StartTime ??= now;
        var status = ready ? "True" : "False";
        fresh.Status.Conditions =
        [
            new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = now },
            new V1PodCondition { Type = "Initialized", Status = "True", LastTransitionTime = now },
            new V1PodCondition { Type = "ContainersReady", Status = status, LastTransitionTime = now },
            new V1PodCondition { Type = "Ready", Status = status, LastTransitionTime = now },
        ];
        fresh.Status.ContainerStatuses = fresh.Spec.Containers.Select(c => new V1ContainerStatus
        {
            Name = c.Name, Image = c.Image, ImageID = c.Image, Ready = ready, Started = true, RestartCount = 0,
            State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
        }).ToList();
        return await Client.For<V1Pod>().UpdateStatusAsync(fresh);
    }

    /// <summary>Marks a pod finished (Succeeded or Failed) through the status subresource.</summary>
    public async Task<V1Pod> MarkPodFinishedAsync(V1Pod pod, bool succeeded)
    {
        var fresh = await Client.For<V1Pod>().GetAsync(pod.Namespace(), pod.Name()) ?? throw new InvalidOperationException("pod vanished");
        fresh.Status ??= new V1PodStatus();
        fresh.Status.Phase = succeeded ? "Succeeded" : "Failed";
        fresh.Status.ContainerStatuses = fresh.Spec.Containers.Select(c => new V1ContainerStatus
        {
            Name = c.Name, Image = c.Image, ImageID = c.Image, Ready = false, RestartCount = 0,
            State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = succeeded ? 0 : 1, Reason = succeeded ? "Completed" : "Error", FinishedAt = DateTime.UtcNow } },
        }).ToList();
        return await Client.For<V1Pod>().UpdateStatusAsync(fresh);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopControllersAsync();
        await _server.DisposeAsync();
    }
}
