using System.Diagnostics;
using Gantry.Scheduler.Tests.Harness;
using k8s.Models;

namespace Gantry.Scheduler.Tests;

public sealed class UnschedulableTests
{
    private const string ExpectedMessage =
        "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. " +
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";

    [Fact]
    public async Task PodThatFitsNowhere_GetsKubeSchedulersFailedSchedulingEvent_AndIsPlacedAsSoonAsANodeAppears()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        await cluster.CreateNodeAsync("tainted", cpu: "8", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]);
        await cluster.CreateNodeAsync("small-1", cpu: "1");
        await cluster.CreateNodeAsync("small-2", cpu: "1");
        cluster.StartScheduler(new SchedulerOptions());
        var pod = await cluster.CreatePodAsync(TestCluster.Pod("big", cpu: "2"));

        await TestCluster.EventuallyAsync(async () =>
        {
            var condition = (await cluster.Client.For<V1Pod>().GetAsync("default", "big"))!.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
            return condition is { Status: "False", Reason: "Unschedulable", Message: ExpectedMessage };
        }, "PodScheduled=False with the FitError message");
        // The event recorder writes asynchronously, as client-go's broadcaster does: the event may follow the condition.
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pod)).Any(e => e.Reason == "FailedScheduling"), "the FailedScheduling event");
        var failed = Assert.Single(await cluster.EventsAsync(pod), e => e.Reason == "FailedScheduling");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal(ExpectedMessage, failed.Message);
        Assert.Equal("default-scheduler", failed.Source.Component);

        // Let the first backoff (1 s) run out: from here on only a cluster event can bring the pod back.
        await Task.Delay(1200);
        Assert.True(string.IsNullOrEmpty((await cluster.Client.For<V1Pod>().GetAsync("default", "big"))!.Spec.NodeName));
        var clock = Stopwatch.StartNew();
        await cluster.CreateNodeAsync("large", cpu: "4");

        Assert.Equal("large", await cluster.WaitForNodeAsync(pod, TimeSpan.FromSeconds(5)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"scheduled {clock.Elapsed} after the node appeared");
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pod)).Any(e =>
            e.Reason == "Scheduled" && e.Message == "Successfully assigned default/big to large"), "the Scheduled event");
    }

    [Fact]
    public async Task UnschedulablePod_IsRetried_WhenABoundPodIsDeleted()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("only", cpu: "1");
        var first = await cluster.CreatePodAsync(TestCluster.Pod("first", cpu: "800m"));
        Assert.Equal("only", await cluster.WaitForNodeAsync(first));
        var second = await cluster.CreatePodAsync(TestCluster.Pod("second", cpu: "800m"));
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(second)).Any(e => e.Message ==
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."),
            "the Insufficient cpu event");

        await cluster.Client.For<V1Pod>().DeleteAsync("default", "first", new Gantry.Client.DeleteOptions { GracePeriodSeconds = 0 });

        Assert.Equal("only", await cluster.WaitForNodeAsync(second, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task UncordoningANode_SchedulesThePodsWaitingForIt()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("cordoned", unschedulable: true);
        var pod = await cluster.CreatePodAsync(TestCluster.Pod("waiting"));
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pod)).Any(e => e.Message ==
            "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."),
            "the unschedulable-node event");

        await cluster.Client.For<V1Node>().PatchAsync(null, "cordoned", Gantry.Client.PatchType.Merge, new { spec = new { unschedulable = false } });

        Assert.Equal("cordoned", await cluster.WaitForNodeAsync(pod, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WithoutNodes_ThePodIsReportedUnschedulable()
    {
        await using var cluster = await TestCluster.StartAsync();
        var pod = await cluster.CreatePodAsync(TestCluster.Pod("lonely"));

        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pod)).Any(e =>
            e.Reason == "FailedScheduling" && e.Message == "no nodes available to schedule pods"), "the no-nodes event");
        await cluster.CreateNodeAsync("n1");
        Assert.Equal("n1", await cluster.WaitForNodeAsync(pod, TimeSpan.FromSeconds(5)));
    }
}
