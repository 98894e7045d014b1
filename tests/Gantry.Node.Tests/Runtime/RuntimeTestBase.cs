using Gantry.Node.Runtime;
using Gantry.Testing;

namespace Gantry.Node.Tests.Runtime;

/// <summary>
/// A test class's node and runtime: a fresh <see cref="RuntimeTestEnvironment"/> per test, the runtime over its
/// paths, everything removed afterwards (also when the test failed), and the helpers the runtime suites share.
/// </summary>
public abstract class RuntimeTestBase : IAsyncLifetime
{
    /// <summary>The node under test.</summary>
    protected RuntimeTestEnvironment Env { get; } = new();

    /// <summary>The runtime under test (over <see cref="Env"/>'s paths).</summary>
    protected IContainerRuntime Runtime { get; set; } = null!;

    /// <summary>A runtime over <paramref name="paths"/>; called again with the same paths to test adoption.</summary>
    protected abstract IContainerRuntime CreateRuntime(NodePaths paths);

    /// <inheritdoc />
    public Task InitializeAsync()
    {
        Runtime = CreateRuntime(Env.Paths);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await DisposeRuntimeAsync(Runtime);
        await Env.DisposeAsync();
    }

    /// <summary>The container's current status.</summary>
    protected async Task<ContainerStatus> StatusAsync(string id) =>
        Assert.Single(await Runtime.ListContainersAsync(default), status => status.Id == id);

    /// <summary>Waits until the container exited and returns its status.</summary>
    protected async Task<ContainerStatus> ExitedAsync(string id, TimeSpan? timeout = null)
    {
        await Eventually.HoldsAsync(
            async () => (await StatusAsync(id)).State == ContainerState.Exited, $"container {id} to exit", timeout ?? TimeSpan.FromSeconds(20));
        return await StatusAsync(id);
    }

    /// <summary>Runs a sandbox for <paramref name="pod"/> and starts <paramref name="config"/> in it.</summary>
    protected async Task<string> RunAsync(PodSandboxConfig pod, ContainerConfig config)
    {
        var sandbox = await Runtime.RunPodSandboxAsync(pod, default);
        return await StartAsync(sandbox.Id, config);
    }

    /// <summary>Creates and starts a container.</summary>
    protected async Task<string> StartAsync(string sandboxId, ContainerConfig config)
    {
        var id = await Runtime.CreateContainerAsync(sandboxId, config, default);
        await Runtime.StartContainerAsync(id, default);
        return id;
    }

    /// <summary>Runs a command in the container (10 s timeout).</summary>
    protected Task<ExecResult> ExecAsync(string id, params string[] command) =>
        Runtime.ExecSyncAsync(id, command, TimeSpan.FromSeconds(10), default);

    /// <summary>Disposes a runtime that is disposable (the adoption test replaces the runtime).</summary>
    protected static async Task DisposeRuntimeAsync(IContainerRuntime runtime)
    {
        switch (runtime)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
