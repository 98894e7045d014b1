using Gantry.Controllers.NodeLifecycle;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.NodeLifecycle.NodeLifecycleControllerTests;

namespace Gantry.Controllers.Tests.NodeLifecycle;

public sealed class TaintEvictionControllerTests
{
    private static async Task TaintAsync(TestCluster cluster, string node, V1Taint? taint)
    {
        var current = await NodeAsync(cluster, node);
        current.Spec.Taints = taint is null ? null : [taint];
        await cluster.Client.For<V1Node>().UpdateAsync(current);
    }

    [Fact]
    public async Task PodsOnANodeWithANoExecuteTaint_GoAtOnce_OrWhenTheirTolerationRunsOut()
    {
        await using var cluster = await TestCluster.StartAsync(Fast, c => new TaintEvictionController(c));
        await using var agent = await FakeNodeAgent.StartAsync(cluster.Client, "n1");
        var maintenance = new V1Toleration { Key = "example.com/maintenance", OperatorProperty = "Exists", Effect = "NoExecute" };
        await PodAsync(cluster, "intolerant", "n1");
        await PodAsync(cluster, "forever", "n1", maintenance);
        await PodAsync(cluster, "brief", "n1",
            new V1Toleration { Key = "example.com/maintenance", OperatorProperty = "Equal", Value = "yes", Effect = "NoExecute", TolerationSeconds = 3 });
        await PodAsync(cluster, "elsewhere", null);

        await TaintAsync(cluster, "n1", new V1Taint { Key = "example.com/maintenance", Value = "yes", Effect = "NoExecute" });

        await TestCluster.EventuallyAsync(() => GoneOrTerminatingAsync(cluster, "intolerant"), "the intolerant pod to go", TimeSpan.FromSeconds(5));
        Assert.False(await GoneOrTerminatingAsync(cluster, "brief"));
        await TestCluster.EventuallyAsync(() => GoneOrTerminatingAsync(cluster, "brief"), "the briefly tolerant pod to go", TimeSpan.FromSeconds(8));
        await Task.Delay(300);
        Assert.False(await GoneOrTerminatingAsync(cluster, "forever"));
        Assert.False(await GoneOrTerminatingAsync(cluster, "elsewhere"));
    }

    [Fact]
    public async Task RemovingTheTaint_CancelsAScheduledEviction()
    {
        await using var cluster = await TestCluster.StartAsync(Fast, c => new TaintEvictionController(c));
        await using var agent = await FakeNodeAgent.StartAsync(cluster.Client, "n1");
        await PodAsync(cluster, "tolerant", "n1",
            new V1Toleration { Key = "example.com/maintenance", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 3 });

        await TaintAsync(cluster, "n1", new V1Taint { Key = "example.com/maintenance", Effect = "NoExecute" });
        await Task.Delay(700);
        await TaintAsync(cluster, "n1", null);

        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<Corev1Event>().ListAsync("default")).Items.Any(e => e.Message == "Cancelling deletion of Pod default/tolerant"),
            "the cancelling event");
        await Task.Delay(3000);
        Assert.False(await GoneOrTerminatingAsync(cluster, "tolerant"));
    }
}
