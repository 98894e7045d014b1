using Gantry.Node.Runtime;
using k8s.Models;

namespace Gantry.Node.Tests.Pods;

public sealed class ProbeTests
{
    [Fact]
    public async Task FailingLivenessProbe_RestartsTheContainer()
    {
        await using var harness = await AgentHarness.StartAsync();
        var healthy = true;
        harness.Runtime.ExecHandler = (_, command) => command[0] == "check-live" && !Volatile.Read(ref healthy) ? new ExecResult(1, "sick", "") : new ExecResult(0, "", "");
        var container = AgentHarness.Container("app");
        container.LivenessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["check-live"] }, PeriodSeconds = 1, FailureThreshold = 1 };
        await harness.CreatePodAsync("live", new V1PodSpec { Containers = [container] });
        var pod = await harness.WaitForPodAsync("live", PodLifecycleTests.IsReady, "the pod to run");
        var first = harness.RunningContainer(pod, "app");

        Volatile.Write(ref healthy, false);
        pod = await harness.WaitForPodAsync("live", p => p.Status.ContainerStatuses.Single().RestartCount >= 1, "the restart after the liveness failure");
        Volatile.Write(ref healthy, true);
        Assert.NotEqual(first, harness.RunningContainer(pod, "app"));
        Assert.Equal(143, pod.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode);
        var events = await harness.EventsAsync("live");
        Assert.Contains(events, e => e.Reason == "Unhealthy" && e.Message == "Liveness probe failed: sick");
        Assert.Contains(events, e => e.Reason == "Killing" && e.Message == "Container app failed liveness probe, will be restarted");
    }

    [Fact]
    public async Task ReadinessProbe_GatesContainerAndPodReadiness()
    {
        await using var harness = await AgentHarness.StartAsync();
        var ready = false;
        harness.Runtime.ExecHandler = (_, command) => command[0] == "check-ready" && !Volatile.Read(ref ready) ? new ExecResult(1, "", "not yet") : new ExecResult(0, "", "");
        var container = AgentHarness.Container("app");
        container.ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["check-ready"] }, PeriodSeconds = 1 };
        await harness.CreatePodAsync("ready", new V1PodSpec { Containers = [container] });
        var pod = await harness.WaitForPodAsync("ready", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null, "the container to run");
        await Task.Delay(300);
        pod = (await harness.Client.For<V1Pod>().GetAsync("default", "ready"))!;
        Assert.Equal("Running", pod.Status.Phase);
        Assert.False(pod.Status.ContainerStatuses.Single().Ready);
        var notReady = pod.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "ContainersNotReady", "containers with unready status: [app]"), (notReady.Status, notReady.Reason, notReady.Message));

        Volatile.Write(ref ready, true);
        pod = await harness.WaitForPodAsync("ready", PodLifecycleTests.IsReady, "the pod to become Ready");
        Assert.True(pod.Status.ContainerStatuses.Single().Ready);
        Assert.True(pod.Status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime >= notReady.LastTransitionTime);
        Assert.Equal(0, pod.Status.ContainerStatuses.Single().RestartCount);
    }

    [Fact]
    public async Task FailingPostStartHook_KillsTheContainer_AndItIsRestarted()
    {
        await using var harness = await AgentHarness.StartAsync();
        var failures = 1;
        harness.Runtime.ExecHandler = (_, command) =>
            command[0] == "warm-up" && Interlocked.Decrement(ref failures) >= 0 ? new ExecResult(2, "", "cache missing") : new ExecResult(0, "", "");
        var container = AgentHarness.Container("app");
        container.Lifecycle = new V1Lifecycle { PostStart = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["warm-up"] } } };
        await harness.CreatePodAsync("hook", new V1PodSpec { Containers = [container] });
        var pod = await harness.WaitForPodAsync("hook", p => PodLifecycleTests.IsReady(p) && p.Status.ContainerStatuses.Single().RestartCount == 1,
            "the container to run again after its failed postStart hook");
        Assert.Equal(143, pod.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode);
        var events = await harness.EventsAsync("hook");
        Assert.Contains(events, e => e.Reason == "FailedPostStartHook"
            && e.Message == $"Exec lifecycle hook ([warm-up]) for Container \"app\" in Pod \"hook_default({pod.Metadata.Uid})\" failed - error: command 'warm-up' exited with 2: cache missing, message: \"cache missing\"");
    }
}
