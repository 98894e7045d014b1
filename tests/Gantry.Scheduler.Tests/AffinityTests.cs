using Gantry.Scheduler.Tests.Harness;
using k8s.Models;

namespace Gantry.Scheduler.Tests;

public sealed class AffinityTests
{
    private const string Zone = "topology.kubernetes.io/zone";

    private static V1Pod Labelled(string name, string app)
    {
        var pod = TestCluster.Pod(name);
        pod.Metadata.Labels = new Dictionary<string, string> { ["app"] = app };
        return pod;
    }

    private static V1PodAffinityTerm Term(string app, string topologyKey = "kubernetes.io/hostname") => new()
    {
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
        TopologyKey = topologyKey,
    };

    private static V1Pod AntiAffine(string name)
    {
        var pod = Labelled(name, "web");
        pod.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web")] } };
        return pod;
    }

    private static async Task WaitForEventAsync(TestCluster cluster, V1Pod pod, string message) =>
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pod)).Any(e => e.Reason == "FailedScheduling" && e.Message == message),
            $"the FailedScheduling event \"{message}\"");

    [Fact]
    public async Task AntiAffinity_SpreadsThreeReplicasOverThreeNodes_AndTheFourthWaitsUntilOneLeaves()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        foreach (var name in new[] { "n1", "n2", "n3" }) await cluster.CreateNodeAsync(name);
        cluster.StartScheduler(new SchedulerOptions());

        var replicas = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => cluster.CreatePodAsync(AntiAffine($"web-{i}"))));
        var nodes = await Task.WhenAll(replicas.Select(p => cluster.WaitForNodeAsync(p)));
        Assert.Equal(["n1", "n2", "n3"], nodes.Order());

        var fourth = await cluster.CreatePodAsync(AntiAffine("web-3"));
        await WaitForEventAsync(cluster, fourth,
            "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. " +
            "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");

        await cluster.Client.For<V1Pod>().DeleteAsync("default", "web-1", new Gantry.Client.DeleteOptions { GracePeriodSeconds = 0 });
        Assert.Equal(nodes[1], await cluster.WaitForNodeAsync(fourth, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task RequiredAffinity_CoLocatesWithTheLabelledPod_AndWaitsForItToExist()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        foreach (var name in new[] { "n1", "n2", "n3" }) await cluster.CreateNodeAsync(name);
        cluster.StartScheduler(new SchedulerOptions());

        var follower = TestCluster.Pod("follower");
        follower.Spec.Affinity = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("db")] } };
        follower = await cluster.CreatePodAsync(follower);
        await WaitForEventAsync(cluster, follower,
            "0/3 nodes are available: 3 node(s) didn't match pod affinity rules. " +
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");

        // A pod added (then relabelled into the group) brings the waiting pod back.
        var db = await cluster.CreatePodAsync(Labelled("db", "cache"));
        var dbNode = await cluster.WaitForNodeAsync(db);
        await cluster.Client.For<V1Pod>().PatchAsync("default", "db", Gantry.Client.PatchType.Merge, new { metadata = new { labels = new { app = "db" } } });

        Assert.Equal(dbNode, await cluster.WaitForNodeAsync(follower, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TopologySpread_OverZonesWithMaxSkewOne_PlacesTwoPodsPerZone()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        await cluster.CreateNodeAsync("a1", cpu: "8", labels: new Dictionary<string, string> { [Zone] = "a" });
        await cluster.CreateNodeAsync("a2", cpu: "8", labels: new Dictionary<string, string> { [Zone] = "a" });
        await cluster.CreateNodeAsync("b1", labels: new Dictionary<string, string> { [Zone] = "b" });
        await cluster.CreateNodeAsync("c1", labels: new Dictionary<string, string> { [Zone] = "c" });
        await cluster.CreateNodeAsync("unzoned", cpu: "16");
        cluster.StartScheduler(new SchedulerOptions());

        var pods = new List<V1Pod>();
        for (var i = 0; i < 6; i++)
        {
            var pod = Labelled($"spread-{i}", "web");
            pod.Spec.TopologySpreadConstraints =
            [
                new V1TopologySpreadConstraint
                {
                    MaxSkew = 1, TopologyKey = Zone, WhenUnsatisfiable = "DoNotSchedule",
                    LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                },
            ];
            pods.Add(pod);
        }
        await Task.WhenAll(pods.Select(cluster.CreatePodAsync));

        var nodes = await Task.WhenAll(pods.Select(p => cluster.WaitForNodeAsync(p)));
        var zones = nodes.Select(n => n[..1]).GroupBy(z => z).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 2, ["c"] = 2 }, zones);
    }

    [Fact]
    public async Task TopologySpread_OnAKeyNoNodeHas_WaitsUntilANodeIsLabelled()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        await cluster.CreateNodeAsync("n1");
        await cluster.CreateNodeAsync("n2");
        cluster.StartScheduler(new SchedulerOptions());

        var pod = Labelled("rack-spread", "web");
        pod.Spec.TopologySpreadConstraints =
        [
            new V1TopologySpreadConstraint
            {
                MaxSkew = 1, TopologyKey = "example.com/rack", WhenUnsatisfiable = "DoNotSchedule",
                LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            },
        ];
        pod = await cluster.CreatePodAsync(pod);
        await WaitForEventAsync(cluster, pod,
            "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints (missing required label). " +
            "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");

        await cluster.Client.For<V1Node>().PatchAsync(null, "n2", Gantry.Client.PatchType.Merge, new { metadata = new { labels = new Dictionary<string, string> { ["example.com/rack"] = "r1" } } });

        Assert.Equal("n2", await cluster.WaitForNodeAsync(pod, TimeSpan.FromSeconds(5)));
    }
}
