using Gantry.Client;
using k8s.Models;

namespace Gantry.Node.Tests.Pods;

public sealed class AdoptionTests
{
    [Fact]
    public async Task RestartedAgent_AdoptsRunningContainers_WithoutRestartingThem_AndRemovesOrphans()
    {
        await using var harness = await AgentHarness.StartAsync();
        var probed = AgentHarness.Container("app");
        probed.ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["true"] }, PeriodSeconds = 1 };
        await harness.CreatePodAsync("kept", new V1PodSpec { InitContainers = [AgentHarness.Container("init")], Containers = [probed] });
        await harness.CreatePodAsync("orphan", new V1PodSpec { Containers = [AgentHarness.Container("app")] });
        var pod = await harness.WaitForPodAsync("kept", p => p.Status?.InitContainerStatuses?[0].State.Running is not null, "the init container");
        harness.Runtime.Exit(harness.RunningContainer(pod, "init"), 0);
        pod = await harness.WaitForPodAsync("kept", PodLifecycleTests.IsReady, "the pod to run");
        var orphan = await harness.WaitForPodAsync("orphan", PodLifecycleTests.IsReady, "the other pod to run");
        var running = harness.RunningContainer(pod, "app");
        var created = harness.Runtime.CreatedContainers;

        // kill -9 of the agent: its containers keep running; meanwhile one of its pods is force-deleted.
        await harness.StopAgentAsync();
        await harness.Client.For<V1Pod>().DeleteAsync("default", "orphan", new DeleteOptions { GracePeriodSeconds = 0 });
        await harness.StartAgentAsync();

        await Testing.Eventually.HoldsAsync(async () => (await harness.Runtime.ListPodSandboxesAsync(CancellationToken.None)).All(s => s.Config.PodName == "kept"),
            "the orphan's sandbox to be removed");
        await Task.Delay(1500);
        pod = (await harness.Client.For<V1Pod>().GetAsync("default", "kept"))!;
        Assert.Equal(running, harness.RunningContainer(pod, "app"));
        Assert.Equal(created, harness.Runtime.CreatedContainers);
        Assert.True(PodLifecycleTests.IsReady(pod));
        Assert.Equal(0, pod.Status.ContainerStatuses.Single().RestartCount);
        Assert.Equal("Completed", pod.Status.InitContainerStatuses.Single().State.Terminated.Reason);
        Assert.Null(harness.Runtime.FindRunning(orphan.Metadata.Uid, "app"));
        Assert.DoesNotContain(harness.Network.Connected.Values, ip => ip == orphan.Status.PodIP);
    }

    [Fact]
    public async Task RestartedAgent_StartsTheClusterDns_ForTheRunningPodsItAdopts()
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.CreatePodAsync("kept", new V1PodSpec { Containers = [AgentHarness.Container("app")] });
        await harness.WaitForPodAsync("kept", PodLifecycleTests.IsReady, "the pod to run");
        var sandboxes = (await harness.Runtime.ListPodSandboxesAsync(CancellationToken.None)).Count;

        await harness.StopAgentAsync();
        var asked = 0;
        harness.Options = harness.Options with
        {
            EnsureClusterDns = _ =>
            {
                Interlocked.Increment(ref asked);
                return Task.CompletedTask;
            },
        };
        await harness.StartAgentAsync();

        await Testing.Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref asked) > 0), "the restarted agent to start the cluster DNS");
        Assert.Equal(sandboxes, (await harness.Runtime.ListPodSandboxesAsync(CancellationToken.None)).Count);
    }
}
