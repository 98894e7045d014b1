using Gantry.Client;
using Gantry.Controllers.Disruption;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.Disruption;

public sealed class EvictionTests
{
    private const string Ns = "default";

    private static async Task ReadyPodAsync(TestCluster cluster, string name, bool ready = true)
    {
        var pod = await cluster.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        });
        await cluster.MarkPodReadyAsync(pod, ready);
    }

    private static async Task<V1PodDisruptionBudgetStatus> StatusAsync(TestCluster cluster) =>
        (await cluster.Client.For<V1PodDisruptionBudget>().GetAsync(Ns, "budget"))!.Status;

    private static async Task<TestCluster> WithBudgetAsync(int pods, int minAvailable)
    {
        var cluster = await TestCluster.StartAsync(new ControllerOptions(), c => new DisruptionController(c));
        for (var i = 0; i < pods; i++) await ReadyPodAsync(cluster, $"web-{i}");
        await cluster.Client.For<V1PodDisruptionBudget>().CreateAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "budget", NamespaceProperty = Ns },
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = minAvailable,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            },
        });
        await TestCluster.EventuallyAsync(async () => (await StatusAsync(cluster)) is { ObservedGeneration: 1, CurrentHealthy: var h } && h == pods,
            "the budget's status");
        return cluster;
    }

    [Fact]
    public async Task Eviction_IsAllowedWhileTheBudgetHasRoom_AndSpendsIt()
    {
        await using var cluster = await WithBudgetAsync(pods: 3, minAvailable: 2);

        await cluster.Client.EvictAsync(Ns, "web-0");

        Assert.Null(await cluster.Client.For<V1Pod>().GetAsync(Ns, "web-0"));
        var status = await StatusAsync(cluster);
        Assert.Equal(0, status.DisruptionsAllowed);
        var refused = await Assert.ThrowsAsync<ApiClientException>(() => cluster.Client.EvictAsync(Ns, "web-1"));
        Assert.True(refused.IsTooManyRequests);
        Assert.NotNull(await cluster.Client.For<V1Pod>().GetAsync(Ns, "web-1"));
    }

    [Fact]
    public async Task Eviction_IsRefusedWhenNoDisruptionIsAllowed()
    {
        await using var cluster = await WithBudgetAsync(pods: 2, minAvailable: 2);
        Assert.Equal(0, (await StatusAsync(cluster)).DisruptionsAllowed);

        var refused = await Assert.ThrowsAsync<ApiClientException>(() => cluster.Client.EvictAsync(Ns, "web-0"));

        Assert.True(refused.IsTooManyRequests);
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", refused.Message);
        Assert.NotNull(await cluster.Client.For<V1Pod>().GetAsync(Ns, "web-0"));
    }

    [Fact]
    public async Task AfterAnEviction_ANewHealthyPodAllowsTheNextOne()
    {
        await using var cluster = await WithBudgetAsync(pods: 2, minAvailable: 1);

        await cluster.Client.EvictAsync(Ns, "web-0");
        await TestCluster.EventuallyAsync(async () => await StatusAsync(cluster) is { ExpectedPods: 1, DisruptionsAllowed: 0 }, "the budget to catch up");
        Assert.True((await Assert.ThrowsAsync<ApiClientException>(() => cluster.Client.EvictAsync(Ns, "web-1"))).IsTooManyRequests);

        await ReadyPodAsync(cluster, "web-2");
        await TestCluster.EventuallyAsync(async () => (await StatusAsync(cluster)).DisruptionsAllowed == 1, "room for one more eviction");
        await cluster.Client.EvictAsync(Ns, "web-1");
        Assert.Null(await cluster.Client.For<V1Pod>().GetAsync(Ns, "web-1"));
    }

    [Fact]
    public async Task UnreadyPod_MayBeEvictedWhileTheBudgetIsMet()
    {
        await using var cluster = await WithBudgetAsync(pods: 2, minAvailable: 2);
        await ReadyPodAsync(cluster, "sick", ready: false);
        await TestCluster.EventuallyAsync(async () => (await StatusAsync(cluster)).ExpectedPods == 3, "the sick pod to count");

        await cluster.Client.EvictAsync(Ns, "sick");

        Assert.Null(await cluster.Client.For<V1Pod>().GetAsync(Ns, "sick"));
        Assert.Equal(0, (await StatusAsync(cluster)).DisruptionsAllowed);
    }

    [Fact]
    public async Task TheApiServer_RecordsTheEvictedPodAndSpendsTheDisruption()
    {
        await using var cluster = await TestCluster.StartAsync();
        await ReadyPodAsync(cluster, "web-0");
        var budget = await cluster.Client.For<V1PodDisruptionBudget>().CreateAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "budget", NamespaceProperty = Ns },
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = 0,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            },
        });
        Assert.True((await Assert.ThrowsAsync<ApiClientException>(() => cluster.Client.EvictAsync(Ns, "web-0"))).IsTooManyRequests);
        budget.Status = new V1PodDisruptionBudgetStatus { ObservedGeneration = 1, ExpectedPods = 1, CurrentHealthy = 1, DesiredHealthy = 0, DisruptionsAllowed = 1 };
        await cluster.Client.For<V1PodDisruptionBudget>().UpdateStatusAsync(budget);

        await cluster.Client.EvictAsync(Ns, "web-0");

        var status = await StatusAsync(cluster);
        Assert.Equal(0, status.DisruptionsAllowed);
        Assert.True(status.DisruptedPods.ContainsKey("web-0"));
        var condition = Assert.Single(status.Conditions);
        Assert.Equal(("DisruptionAllowed", "False", "InsufficientPods"), (condition.Type, condition.Status, condition.Reason));
    }
}
