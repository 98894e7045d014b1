using Gantry.Client;
using Gantry.Node.Runtime;
using k8s.Models;

namespace Gantry.Node.Tests.Pods;

public sealed class TerminationTests
{
    [Fact]
    public async Task DeletedPod_RunsPreStop_StopsGracefully_AndIsRemovedWithItsResources()
    {
        await using var harness = await AgentHarness.StartAsync();
        var commands = new System.Collections.Concurrent.ConcurrentQueue<string>();
        harness.Runtime.ExecHandler = (config, command) =>
        {
            commands.Enqueue(config.Name + ":" + string.Join(' ', command));
            return new ExecResult(0, "", "");
        };
        var container = AgentHarness.Container("app");
        container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["drain", "now"] } } };
        await harness.CreatePodAsync("gone", new V1PodSpec { Containers = [container], Volumes = [new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() }] });
        var pod = await harness.WaitForPodAsync("gone", PodLifecycleTests.IsReady, "the pod to run");
        Assert.Single(harness.Volumes.PodsWithVolumes());

        await harness.Client.For<V1Pod>().DeleteAsync("default", "gone", new DeleteOptions { GracePeriodSeconds = 10 });
        await Testing.Eventually.HoldsAsync(async () => await harness.Client.For<V1Pod>().GetAsync("default", "gone") is null, "the agent to remove the pod");

        Assert.Equal(["app:drain now"], commands);
        // The API server may complete the deletion on the agent's final status write, before the agent finished releasing.
        var podDir = Path.Combine(harness.Paths.PodsDir, pod.Metadata.Uid);
        await Testing.Eventually.HoldsAsync(async () =>
            (await harness.Runtime.ListPodSandboxesAsync(CancellationToken.None)).Count == 0
            && (await harness.Runtime.ListContainersAsync(CancellationToken.None)).Count == 0
            && harness.Network.Connected.IsEmpty && harness.Volumes.PodsWithVolumes().Count == 0 && !Directory.Exists(podDir),
            "the agent to release the pod's sandbox, containers, address, volumes and files");
    }

    [Fact]
    public async Task ActiveDeadline_FailsThePod_WithDeadlineExceeded()
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.CreatePodAsync("deadline", new V1PodSpec { ActiveDeadlineSeconds = 1, Containers = [AgentHarness.Container("app")] });
        var pod = await harness.WaitForPodAsync("deadline", p => p.Status?.Phase == "Failed", "the deadline to fail the pod", TimeSpan.FromSeconds(10));
        Assert.Equal("DeadlineExceeded", pod.Status.Reason);
        Assert.Equal("Pod was active on the node longer than the specified deadline", pod.Status.Message);
        Assert.NotNull(pod.Status.ContainerStatuses.Single().State.Terminated);
        Assert.Empty(harness.Network.Connected);
    }
}
