using k8s.Models;

namespace Gantry.Node.Tests.Pods;

public sealed class PodLifecycleTests
{
    [Fact]
    public async Task BoundPod_BecomesRunningAndReady_WithConditionsAndContainerStatuses()
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.CreatePodAsync("web", new V1PodSpec { Containers = [AgentHarness.Container("web")] });
        var pod = await harness.WaitForPodAsync("web", p => p.Status?.Phase == "Running" && IsReady(p), "the pod to be Running and Ready");

        Assert.Equal("127.0.0.1", pod.Status.HostIP);
        Assert.StartsWith("10.88.0.", pod.Status.PodIP);
        Assert.Equal(pod.Status.PodIP, pod.Status.PodIPs.Single().Ip);
        Assert.NotNull(pod.Status.StartTime);
        Assert.Equal("BestEffort", pod.Status.QosClass);
        foreach (var type in new[] { "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled" })
            Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == type).Status);
        var status = pod.Status.ContainerStatuses.Single();
        Assert.True(status.Ready);
        Assert.True(status.Started);
        Assert.Equal(0, status.RestartCount);
        Assert.NotNull(status.State.Running);
        Assert.StartsWith("runc://", status.ContainerID);
        Assert.Equal("docker.io/library/busybox@sha256:0123", status.ImageID);

        var config = harness.Runtime.ConfigOf(harness.RunningContainer(pod, "web"));
        Assert.Equal(["/bin/sh", "-c", "sleep 3600"], config.Args);
        Assert.Equal(Path.Combine(harness.Paths.PodLogsDir, $"default_web_{pod.Metadata.Uid}", "web", "0.log"), config.LogPath);
        Assert.Contains(config.Mounts, m => m.ContainerPath == "/dev/termination-log");
        Assert.Contains(config.Mounts, m => m.ContainerPath == "/etc/hosts");
        Assert.Equal(1000, config.Resources.OomScoreAdj);
        Assert.Contains(await harness.EventsAsync("web"), e => e.Reason == "Started" && e.Message == "Started container web");
    }

    [Theory]
    [InlineData(0, "Succeeded", "Completed")]
    [InlineData(3, "Failed", "Error")]
    public async Task NeverRestartPod_EndsWithThePhaseOfItsExit(int exitCode, string phase, string reason)
    {
        await using var harness = await AgentHarness.StartAsync();
        await harness.CreatePodAsync("job", new V1PodSpec { RestartPolicy = "Never", Containers = [AgentHarness.Container("main")] });
        var pod = await harness.WaitForPodAsync("job", p => p.Status?.Phase == "Running", "the pod to run");
        var id = harness.RunningContainer(pod, "main");
        await File.WriteAllTextAsync(harness.Runtime.ConfigOf(id).Mounts.Single(m => m.ContainerPath == "/dev/termination-log").HostPath, "bye");
        harness.Runtime.Exit(id, exitCode);

        pod = await harness.WaitForPodAsync("job", p => p.Status?.Phase == phase, $"the pod to be {phase}");
        var terminated = pod.Status.ContainerStatuses.Single().State.Terminated;
        Assert.Equal((exitCode, reason, "bye"), (terminated.ExitCode, terminated.Reason, terminated.Message));
        Assert.Equal("False", pod.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.Equal(1, harness.Runtime.CreatedContainers);
        await Testing.Eventually.HoldsAsync(() => Task.FromResult(harness.Network.Connected.IsEmpty), "the finished pod to give back its address");
    }

    internal static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
