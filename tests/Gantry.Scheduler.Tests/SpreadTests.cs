using Gantry.Scheduler.Tests.Harness;
using k8s.Models;

namespace Gantry.Scheduler.Tests;

public sealed class SpreadTests
{
    [Fact]
    public async Task TwoHundredPods_SpreadEvenlyOverTwentyNodes_WithoutExceedingCapacity()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        for (var i = 0; i < 20; i++) await cluster.CreateNodeAsync($"node-{i:D2}", cpu: "2", memory: "4Gi");
        cluster.StartScheduler(new SchedulerOptions());

        var names = Enumerable.Range(0, 200).Select(i => $"pod-{i:D3}").ToList();
        foreach (var batch in names.Chunk(20))
            await Task.WhenAll(batch.Select(n => cluster.CreatePodAsync(TestCluster.Pod(n, cpu: "150m", memory: "256Mi"))));

        List<V1Pod> pods = [];
        await TestCluster.EventuallyAsync(async () =>
        {
            pods = [.. (await cluster.Client.For<V1Pod>().ListAsync("default")).Items];
            return pods.Count == 200 && pods.All(p => !string.IsNullOrEmpty(p.Spec.NodeName));
        }, "all 200 pods to be bound", TimeSpan.FromSeconds(40));

        var perNode = pods.GroupBy(p => p.Spec.NodeName).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(20, perNode.Count);
        // Least allocated: identical pods on identical nodes end up exactly even, and 10 x 150m stays under 2 cpus.
        Assert.All(perNode.Values, count => Assert.Equal(10, count));
    }

    [Fact]
    public async Task Pods_NeverExceedANodesCapacity()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        await cluster.CreateNodeAsync("a", cpu: "1", memory: "1Gi", pods: 3);
        await cluster.CreateNodeAsync("b", cpu: "1", memory: "1Gi", pods: 3);
        cluster.StartScheduler(new SchedulerOptions());

        var names = Enumerable.Range(0, 8).Select(i => $"p-{i}").ToList();
        await Task.WhenAll(names.Select(n => cluster.CreatePodAsync(TestCluster.Pod(n, cpu: "200m", memory: "100Mi"))));

        List<V1Pod> pods = [];
        await TestCluster.EventuallyAsync(async () =>
        {
            pods = [.. (await cluster.Client.For<V1Pod>().ListAsync("default")).Items];
            return pods.Count(p => !string.IsNullOrEmpty(p.Spec.NodeName)) == 6;
        }, "six pods to be bound");
        await Task.Delay(300);
        pods = [.. (await cluster.Client.For<V1Pod>().ListAsync("default")).Items];
        Assert.Equal(6, pods.Count(p => !string.IsNullOrEmpty(p.Spec.NodeName)));
        Assert.All(pods.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).GroupBy(p => p.Spec.NodeName), g => Assert.Equal(3, g.Count()));
        var pending = pods.Where(p => string.IsNullOrEmpty(p.Spec.NodeName)).ToList();
        Assert.Equal(2, pending.Count);
        foreach (var pod in pending)
        {
            await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pod)).Any(e => e.Message ==
                "0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."),
                "the Too many pods event");
        }
    }
}
