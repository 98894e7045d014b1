using k8s.Models;

namespace Gantry.Node.Tests.Pods;

public sealed class PodRestartTests
{
    [Fact]
    public async Task CrashingContainer_IsRestarted_WithCrashLoopBackOffAndGrowingDelays()
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.CreatePodAsync("crash", new V1PodSpec { Containers = [AgentHarness.Container("app")] });
        var pod = await harness.WaitForPodAsync("crash", PodLifecycleTests.IsReady, "the pod to run");

        // First exit: restarted at once (restartCount 1). Second exit: back-off 400ms. Third: 800ms.
        harness.Runtime.Exit(harness.RunningContainer(pod, "app"), 1);
        pod = await harness.WaitForPodAsync("crash", p => Status(p).RestartCount == 1 && Status(p).State.Running is not null, "the first restart");
        Assert.Equal(1, Status(pod).LastState.Terminated.ExitCode);

        var restarts = new List<TimeSpan>();
        for (var restart = 2; restart <= 3; restart++)
        {
            var exitedAt = DateTime.UtcNow;
            harness.Runtime.Exit(harness.RunningContainer(pod, "app"), 2);
            var waiting = await harness.WaitForPodAsync("crash", p => Status(p).State.Waiting?.Reason == "CrashLoopBackOff", "CrashLoopBackOff");
            var expected = restart == 2 ? "400ms" : "800ms";
            Assert.Equal($"back-off {expected} restarting failed container=app pod=crash_default({pod.Metadata.Uid})", Status(waiting).State.Waiting.Message);
            Assert.Equal(2, Status(waiting).LastState.Terminated.ExitCode);
            Assert.Equal("Running", waiting.Status.Phase);
            Assert.Equal("False", waiting.Status.Conditions.Single(c => c.Type == "Ready").Status);
            var r = restart;
            pod = await harness.WaitForPodAsync("crash", p => Status(p).RestartCount == r && Status(p).State.Running is not null, $"restart {r}");
            restarts.Add(DateTime.UtcNow - exitedAt);
        }
        Assert.True(restarts[0] >= TimeSpan.FromMilliseconds(350), $"first back-off {restarts[0]}");
        Assert.True(restarts[1] >= TimeSpan.FromMilliseconds(750), $"second back-off {restarts[1]}");
        Assert.Contains(await harness.EventsAsync("crash"), e => e.Reason == "BackOff" && e.Message.StartsWith("Back-off restarting failed container app in pod crash_default", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnFailurePod_RestartsFailures_AndSucceedsOnCleanExit()
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.CreatePodAsync("retry", new V1PodSpec { RestartPolicy = "OnFailure", Containers = [AgentHarness.Container("app")] });
        var pod = await harness.WaitForPodAsync("retry", PodLifecycleTests.IsReady, "the pod to run");
        harness.Runtime.OomKill(harness.RunningContainer(pod, "app"));
        pod = await harness.WaitForPodAsync("retry", p => Status(p).RestartCount == 1 && Status(p).State.Running is not null, "the restart after OOM");
        Assert.Equal("OOMKilled", Status(pod).LastState.Terminated.Reason);
        harness.Runtime.Exit(harness.RunningContainer(pod, "app"), 0);
        pod = await harness.WaitForPodAsync("retry", p => p.Status.Phase == "Succeeded", "the pod to succeed");
        Assert.Equal("PodCompleted", pod.Status.Conditions.Single(c => c.Type == "ContainersReady").Reason);
    }

    [Fact]
    public async Task InitContainers_RunInOrder_BeforeTheContainers()
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.CreatePodAsync("init", new V1PodSpec
        {
            InitContainers = [AgentHarness.Container("first"), AgentHarness.Container("second")],
            Containers = [AgentHarness.Container("app")],
        });
        var pod = await harness.WaitForPodAsync("init", p => p.Status?.InitContainerStatuses?[0].State.Running is not null, "the first init container to run");
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal("PodInitializing", Status(pod).State.Waiting.Reason);
        Assert.Equal("containers with incomplete status: [first second]", pod.Status.Conditions.Single(c => c.Type == "Initialized").Message);
        Assert.Null(harness.Runtime.FindRunning(pod.Metadata.Uid, "second"));

        // A failing init container is retried (restartPolicy Always) before the next one starts.
        harness.Runtime.Exit(harness.RunningContainer(pod, "first"), 1);
        pod = await harness.WaitForPodAsync("init", p => p.Status.InitContainerStatuses[0].RestartCount == 1 && p.Status.InitContainerStatuses[0].State.Running is not null,
            "the first init container to be retried");
        harness.Runtime.Exit(harness.RunningContainer(pod, "first"), 0);
        pod = await harness.WaitForPodAsync("init", p => p.Status.InitContainerStatuses[1].State.Running is not null, "the second init container to run");
        Assert.Equal("Completed", pod.Status.InitContainerStatuses[0].State.Terminated.Reason);
        Assert.Null(harness.Runtime.FindRunning(pod.Metadata.Uid, "app"));
        harness.Runtime.Exit(harness.RunningContainer(pod, "second"), 0);

        pod = await harness.WaitForPodAsync("init", p => p.Status.Phase == "Running" && PodLifecycleTests.IsReady(p), "the app to run");
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "Initialized").Status);
        Assert.All(pod.Status.InitContainerStatuses, s => Assert.True(s.Ready));
    }

    [Fact]
    public async Task FailedInitContainer_FailsANeverPod()
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.CreatePodAsync("init-never", new V1PodSpec
        {
            RestartPolicy = "Never",
            InitContainers = [AgentHarness.Container("setup")],
            Containers = [AgentHarness.Container("app")],
        });
        var pod = await harness.WaitForPodAsync("init-never", p => p.Status?.InitContainerStatuses?[0].State.Running is not null, "the init container to run");
        harness.Runtime.Exit(harness.RunningContainer(pod, "setup"), 7);
        pod = await harness.WaitForPodAsync("init-never", p => p.Status.Phase == "Failed", "the pod to fail");
        Assert.Equal(7, pod.Status.InitContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Equal(1, harness.Runtime.CreatedContainers);
    }

    [Fact]
    public async Task SidecarInitContainer_KeepsRunningBesideTheApp_AndStopsWhenTheJobEnds()
    {
        await using var harness = await AgentHarness.StartAsync();
        var sidecar = AgentHarness.Container("proxy");
        sidecar.RestartPolicy = "Always";
        await harness.CreatePodAsync("sidecar", new V1PodSpec { RestartPolicy = "Never", InitContainers = [sidecar], Containers = [AgentHarness.Container("job")] });
        var pod = await harness.WaitForPodAsync("sidecar", p => p.Status?.Phase == "Running" && PodLifecycleTests.IsReady(p), "the job to run beside its sidecar");
        Assert.NotNull(pod.Status.InitContainerStatuses.Single().State.Running);
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "Initialized").Status);

        harness.Runtime.Exit(harness.RunningContainer(pod, "job"), 0);
        pod = await harness.WaitForPodAsync("sidecar", p => p.Status.Phase == "Succeeded", "the pod to succeed");
        await Testing.Eventually.HoldsAsync(() => Task.FromResult(harness.Runtime.FindRunning(pod.Metadata.Uid, "proxy") is null), "the sidecar to be stopped");
    }

    private static V1ContainerStatus Status(V1Pod pod) => pod.Status.ContainerStatuses.Single();
}
