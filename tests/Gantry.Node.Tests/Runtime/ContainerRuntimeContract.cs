using Gantry.Node.Runtime;

namespace Gantry.Node.Tests.Runtime;

/// <summary>
/// What every <see cref="IContainerRuntime"/> does, runc or fake: sandbox and container lifecycles as the CRI
/// defines them, exit codes and reasons, exec, and adoption of everything by a new instance over the same paths.
/// Implementations inherit it and supply <see cref="CreateRuntime"/>; a fake interprets the few commands below.
/// </summary>
public abstract class ContainerRuntimeContract : RuntimeTestBase
{
    /// <summary>A command that exits with <paramref name="code"/> at once.</summary>
    protected virtual string[] ExitCommand(int code) => ["sh", "-c", $"exit {code}"];

    /// <summary>A command that runs until stopped and exits 143 on SIGTERM (a pid 1 without a handler would ignore it).</summary>
    protected virtual string[] SleepCommand() => ["sh", "-c", "trap 'exit 143' TERM; while :; do sleep 0.1; done"];

    /// <summary>A command that prints <paramref name="text"/> and a newline.</summary>
    protected virtual string[] EchoCommand(string text) => ["echo", text];

    [Fact]
    public async Task RunPodSandbox_IsListedReadyWithItsConfig()
    {
        var config = Env.Pod("web");
        var sandbox = await Runtime.RunPodSandboxAsync(config, default);

        var listed = Assert.Single(await Runtime.ListPodSandboxesAsync(default));
        Assert.Equal(sandbox.Id, listed.Id);
        Assert.True(listed.Ready);
        Assert.Equal(config.PodUid, listed.Config.PodUid);
        Assert.Equal(config.CgroupParent, listed.Config.CgroupParent);
    }

    [Fact]
    public async Task StopPodSandbox_MarksItNotReady_AndRemoveForgetsItIdempotently()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var container = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", SleepCommand()), default);
        await Runtime.StartContainerAsync(container, default);

        await Runtime.StopPodSandboxAsync(sandbox.Id, default);
        Assert.False(Assert.Single(await Runtime.ListPodSandboxesAsync(default)).Ready);
        Assert.Equal(ContainerState.Exited, (await StatusAsync(container)).State);

        await Runtime.RemovePodSandboxAsync(sandbox.Id, default);
        await Runtime.RemovePodSandboxAsync(sandbox.Id, default);
        Assert.Empty(await Runtime.ListPodSandboxesAsync(default));
        Assert.Empty(await Runtime.ListContainersAsync(default));
    }

    [Fact]
    public async Task RemovePodSandbox_WithoutStop_RemovesItsRunningContainers_AndLeavesOtherSandboxesAlone()
    {
        var doomed = await Runtime.RunPodSandboxAsync(Env.Pod("doomed"), default);
        var kept = await Runtime.RunPodSandboxAsync(Env.Pod("kept"), default);
        await Runtime.StartContainerAsync(await Runtime.CreateContainerAsync(doomed.Id, Env.Container("app", SleepCommand()), default), default);
        var survivor = await Runtime.CreateContainerAsync(kept.Id, Env.Container("app", SleepCommand()), default);
        await Runtime.StartContainerAsync(survivor, default);

        await Runtime.RemovePodSandboxAsync(doomed.Id, default);

        Assert.Equal(kept.Id, Assert.Single(await Runtime.ListPodSandboxesAsync(default)).Id);
        var remaining = Assert.Single(await Runtime.ListContainersAsync(default));
        Assert.Equal((survivor, ContainerState.Running), (remaining.Id, remaining.State));
    }

    [Fact]
    public async Task Container_IsCreatedThenRuns_AndReportsItsExitCodeAndReason()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("job"), default);
        var failing = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("failing", ExitCommand(3)), default);
        var succeeding = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("succeeding", ExitCommand(0)) with { Attempt = 2 }, default);

        var created = await StatusAsync(failing);
        Assert.Equal(ContainerState.Created, created.State);
        Assert.Equal("failing", created.Name);
        Assert.Equal(sandbox.Id, created.SandboxId);
        Assert.Null(created.StartedAt);

        await Runtime.StartContainerAsync(failing, default);
        await Runtime.StartContainerAsync(succeeding, default);
        var failed = await ExitedAsync(failing);
        var succeeded = await ExitedAsync(succeeding);

        Assert.Equal((3, "Error"), (failed.ExitCode, failed.Reason));
        Assert.Equal((0, "Completed"), (succeeded.ExitCode, succeeded.Reason));
        Assert.Equal(2, succeeded.Attempt);
        Assert.NotNull(succeeded.StartedAt);
        Assert.NotNull(succeeded.FinishedAt);
        Assert.True(succeeded.FinishedAt >= succeeded.StartedAt!.Value.AddSeconds(-1));
    }

    [Fact]
    public async Task StopContainer_EndsARunningContainer_WithinItsGracePeriod()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var config = Env.Container("app", SleepCommand()) with
        {
            Labels = new Dictionary<string, string> { ["app"] = "web" },
            Annotations = new Dictionary<string, string> { ["hash"] = "42" },
        };
        var id = await Runtime.CreateContainerAsync(sandbox.Id, config, default);
        await Runtime.StartContainerAsync(id, default);
        var running = await StatusAsync(id);
        Assert.Equal(ContainerState.Running, running.State);
        Assert.Equal("web", running.Labels["app"]);
        Assert.Equal("42", running.Annotations["hash"]);
        Assert.Equal(Env.Image.Id, running.ImageId);

        await Runtime.StopContainerAsync(id, TimeSpan.FromSeconds(10), default);

        var stopped = await StatusAsync(id);
        Assert.Equal(ContainerState.Exited, stopped.State);
        Assert.NotEqual(0, stopped.ExitCode);
        await Runtime.StopContainerAsync(id, TimeSpan.FromSeconds(10), default);
    }

    [Fact]
    public async Task RemoveContainer_ForgetsIt_Idempotently()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var id = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", ExitCommand(0)), default);
        await Runtime.StartContainerAsync(id, default);
        await ExitedAsync(id);

        await Runtime.RemoveContainerAsync(id, default);
        await Runtime.RemoveContainerAsync(id, default);

        Assert.Empty(await Runtime.ListContainersAsync(default));
    }

    [Fact]
    public async Task CreatedContainer_CanBeStoppedAndRemovedWithoutEverStarting()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var id = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", SleepCommand()), default);

        await Runtime.StopContainerAsync(id, TimeSpan.FromSeconds(5), default);
        Assert.Equal(ContainerState.Exited, (await StatusAsync(id)).State);
        await Runtime.RemoveContainerAsync(id, default);

        Assert.Empty(await Runtime.ListContainersAsync(default));
    }

    [Fact]
    public async Task ExecSync_ReturnsTheCommandsOutputAndExitCode()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var id = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", SleepCommand()), default);
        await Runtime.StartContainerAsync(id, default);

        var echo = await Runtime.ExecSyncAsync(id, EchoCommand("probe-ok"), TimeSpan.FromSeconds(10), default);
        var exit = await Runtime.ExecSyncAsync(id, ExitCommand(4), TimeSpan.FromSeconds(10), default);

        Assert.Equal((0, "probe-ok\n", false), (echo.ExitCode, echo.Stdout, echo.TimedOut));
        Assert.Equal(4, exit.ExitCode);
    }

    [Fact]
    public async Task UnknownIds_AreNotFound_ExceptForRemovalsAndStops()
    {
        var unknown = new string('a', 64);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Runtime.CreateContainerAsync(unknown, Env.Container("app", SleepCommand()), default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Runtime.StartContainerAsync(unknown, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Runtime.StopContainerAsync(unknown, TimeSpan.Zero, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Runtime.ExecSyncAsync(unknown, EchoCommand("x"), TimeSpan.FromSeconds(5), default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Runtime.PortForwardAsync(unknown, 80, default));

        await Runtime.RemoveContainerAsync(unknown, default);
        await Runtime.RemoveContainerAsync("not-an-id", default);
        await Runtime.StopPodSandboxAsync(unknown, default);
        await Runtime.RemovePodSandboxAsync(unknown, default);
    }

    [Fact]
    public async Task ExecSync_InAContainerThatIsNotRunning_Fails()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var id = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", ExitCommand(0)), default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Runtime.ExecSyncAsync(id, EchoCommand("x"), TimeSpan.FromSeconds(5), default));
        await Runtime.StartContainerAsync(id, default);
        await ExitedAsync(id);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Runtime.ExecSyncAsync(id, EchoCommand("x"), TimeSpan.FromSeconds(5), default));
    }

    [Fact]
    public async Task NewRuntimeOverTheSamePaths_AdoptsSandboxesAndContainers()
    {
        var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
        var running = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("server", SleepCommand()), default);
        var done = await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("init", ExitCommand(7)), default);
        await Runtime.StartContainerAsync(running, default);
        await Runtime.StartContainerAsync(done, default);
        await ExitedAsync(done);

        await DisposeRuntimeAsync(Runtime);
        Runtime = CreateRuntime(Env.Paths);

        Assert.Equal(sandbox.Id, Assert.Single(await Runtime.ListPodSandboxesAsync(default)).Id);
        Assert.Equal(ContainerState.Running, (await StatusAsync(running)).State);
        Assert.Equal(7, (await StatusAsync(done)).ExitCode);
        await Runtime.StopContainerAsync(running, TimeSpan.FromSeconds(10), default);
        Assert.Equal(ContainerState.Exited, (await StatusAsync(running)).State);
    }

    [Fact]
    public async Task RuntimesOverDifferentPaths_NeverSeeEachOthersSandboxesOrContainers()
    {
        var otherPaths = new NodePaths(Path.Combine(Env.Directory, "other"), Env.Paths.NodeName + "b");
        var other = CreateRuntime(otherPaths);
        try
        {
            var sandbox = await Runtime.RunPodSandboxAsync(Env.Pod("web"), default);
            await Runtime.CreateContainerAsync(sandbox.Id, Env.Container("app", SleepCommand()), default);

            Assert.Empty(await other.ListPodSandboxesAsync(default));
            Assert.Empty(await other.ListContainersAsync(default));
        }
        finally
        {
            await DisposeRuntimeAsync(other);
        }
    }
}
