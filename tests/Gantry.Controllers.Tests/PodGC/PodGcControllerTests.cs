using Gantry.Client;
using Gantry.Controllers.PodGC;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.PodGC;

public sealed class PodGcControllerTests
{
    private const string Ns = "default";
    private static readonly PodGcOptions Fast = new() { CheckPeriod = TimeSpan.FromMilliseconds(100), QuarantineTime = TimeSpan.FromMilliseconds(500) };

    [Fact]
    public async Task TerminatedPodsOverTheThreshold_AreDeletedOldestFirst()
    {
        await using var cluster = await TestCluster.StartAsync();
        foreach (var name in new[] { "done-1", "done-2", "done-3", "done-4" })
            await cluster.MarkPodFinishedAsync(await CreatePodAsync(cluster, name), succeeded: name != "done-2");
        await cluster.MarkPodReadyAsync(await CreatePodAsync(cluster, "running"));

        cluster.StartControllers(new ControllerOptions { TerminatedPodGcThreshold = 2 }, c => new PodGcController(c, Fast));

        await TestCluster.EventuallyAsync(async () => (await cluster.Client.For<V1Pod>().ListAsync(Ns)).Items.Count == 3, "two pods to be collected");
        var left = (await cluster.Client.For<V1Pod>().ListAsync(Ns)).Items.Select(p => p.Metadata.Name).Order();
        Assert.Equal(["done-3", "done-4", "running"], left);
    }

    [Fact]
    public async Task PodsOnANodeThatNoLongerExists_AreMarkedFailedAndForceDeletedAfterTheQuarantine()
    {
        var quarantine = TimeSpan.FromSeconds(3);
        await using var cluster = await TestCluster.StartAsync(new ControllerOptions(), c => new PodGcController(c, Fast with { QuarantineTime = quarantine }));
        await cluster.Client.For<V1Node>().CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "alive" } });
        await CreatePodAsync(cluster, "on-alive", node: "alive");
        await CreatePodAsync(cluster, "on-ghost", node: "ghost");
        await CreatePodAsync(cluster, "held-on-ghost", node: "ghost", finalizer: "example.com/hold");

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.NotNull(await cluster.Client.For<V1Pod>().GetAsync(Ns, "on-ghost"));
        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1Pod>().GetAsync(Ns, "on-ghost") is null, "the orphaned pod to go");
        var held = await cluster.Client.For<V1Pod>().GetAsync(Ns, "held-on-ghost");
        Assert.NotNull(held!.Metadata.DeletionTimestamp);
        Assert.Equal("Failed", held.Status.Phase);
        var condition = Assert.Single(held.Status.Conditions, c => c.Type == "DisruptionTarget");
        Assert.Equal(("True", "DeletionByPodGC", "PodGC: node no longer exists"), (condition.Status, condition.Reason, condition.Message));
        Assert.NotNull(await cluster.Client.For<V1Pod>().GetAsync(Ns, "on-alive"));
    }

    [Fact]
    public async Task AnUnscheduledTerminatingPod_IsMarkedFailedAndForceDeleted()
    {
        await using var cluster = await TestCluster.StartAsync(new ControllerOptions(), c => new PodGcController(c, Fast));
        await CreatePodAsync(cluster, "stuck", finalizer: "example.com/hold");

        await cluster.Client.For<V1Pod>().DeleteAsync(Ns, "stuck");

        await TestCluster.EventuallyAsync(async () => (await cluster.Client.For<V1Pod>().GetAsync(Ns, "stuck"))?.Status?.Phase == "Failed",
            "the pod to be marked failed");
        await cluster.Client.For<V1Pod>().PatchAsync(Ns, "stuck", PatchType.Merge, """{"metadata":{"finalizers":null}}""");
        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1Pod>().GetAsync(Ns, "stuck") is null, "the pod to go");
    }

    private static Task<V1Pod> CreatePodAsync(TestCluster cluster, string name, string? node = null, string? finalizer = null) =>
        cluster.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Finalizers = finalizer is null ? null : [finalizer] },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "app", Image = "busybox" }] },
        });
}
