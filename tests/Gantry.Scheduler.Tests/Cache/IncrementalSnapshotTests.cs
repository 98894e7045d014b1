using Gantry.Scheduler.Cache;
using k8s.Models;
using static Gantry.Scheduler.Tests.Preemption.PreemptionFixtures;

namespace Gantry.Scheduler.Tests.Cache;

public sealed class IncrementalSnapshotTests
{
    private readonly SchedulerCache _cache = new();
    private readonly Snapshot _snapshot = new();

    private NodeInfo InSnapshot(string name) => _snapshot.Nodes.Single(n => n.Name == name);

    [Fact]
    public void UpdateSnapshot_AfterAPodIsAssumed_ReplacesOnlyThatNodesInfo()
    {
        foreach (var name in new[] { "a", "b", "c" }) _cache.SetNode(Node(name));
        _cache.UpdateSnapshot(_snapshot);
        var before = _snapshot.Nodes.ToList();

        var pod = Pod("p", 0);
        _cache.Assume(pod, PodRequests.Of(pod), "b");
        _cache.UpdateSnapshot(_snapshot);

        Assert.Equal(["a", "b", "c"], _snapshot.Nodes.Select(n => n.Name));
        Assert.Same(before[0], _snapshot.Nodes[0]);
        Assert.Same(before[2], _snapshot.Nodes[2]);
        Assert.NotSame(before[1], _snapshot.Nodes[1]);
        Assert.Equal(1000, InSnapshot("b").Requested.MilliCpu);
    }

    [Fact]
    public void APodSeenAgain_KeepsItsRequests_ButAPodRecreatedUnderItsName_IsMeasuredAnew()
    {
        _cache.SetNode(Node("a"));
        _cache.SetPod(Pod("p", 0, cpu: "1", node: "a"));
        var running = Pod("p", 0, cpu: "1", node: "a");
        running.Status = new V1PodStatus { Phase = "Running" };
        _cache.SetPod(running);
        _cache.UpdateSnapshot(_snapshot);
        var seenAgain = InSnapshot("a");

        var recreated = Pod("p", 0, cpu: "2", node: "a");
        recreated.Metadata.Uid = "uid-p-2";
        _cache.SetPod(recreated);
        _cache.UpdateSnapshot(_snapshot);

        Assert.Equal(1000, seenAgain.Requested.MilliCpu);
        Assert.Same(running, seenAgain.Pods.Single().Pod);
        Assert.Equal(2000, InSnapshot("a").Requested.MilliCpu);
    }

    [Fact]
    public void UpdateSnapshot_WithoutChanges_KeepsEveryNodeInfoAndTheGeneration()
    {
        _cache.SetNode(Node("a"));
        _cache.UpdateSnapshot(_snapshot);
        var generation = _snapshot.Generation;
        var info = InSnapshot("a");

        _cache.UpdateSnapshot(_snapshot);

        Assert.Equal(generation, _snapshot.Generation);
        Assert.Same(info, InSnapshot("a"));
    }

    [Fact]
    public void UpdateSnapshot_FollowsNodesAddedAndDeleted()
    {
        _cache.SetNode(Node("a"));
        _cache.SetNode(Node("b"));
        _cache.UpdateSnapshot(_snapshot);

        _cache.RemoveNode("a");
        _cache.SetNode(Node("c"));
        _cache.UpdateSnapshot(_snapshot);

        Assert.Equal(["b", "c"], _snapshot.Nodes.Select(n => n.Name).Order());
    }

    [Fact]
    public void UpdateSnapshot_KeepsANodeDeletedWithPodsOnItOutOfTheSnapshot_UntilItReturns()
    {
        _cache.SetNode(Node("a"));
        _cache.SetPod(Pod("running", 0, node: "a"));
        _cache.UpdateSnapshot(_snapshot);

        _cache.RemoveNode("a");
        _cache.UpdateSnapshot(_snapshot);
        Assert.Empty(_snapshot.Nodes);

        _cache.SetNode(Node("a"));
        _cache.UpdateSnapshot(_snapshot);
        Assert.Single(InSnapshot("a").Pods);
    }

    [Fact]
    public void UpdateSnapshot_ListsTheNodesWithPodsWithRequiredAntiAffinity()
    {
        _cache.SetNode(Node("a"));
        _cache.SetNode(Node("b"));
        _cache.UpdateSnapshot(_snapshot);
        Assert.Empty(_snapshot.HavePodsWithAffinity);

        var pod = Pod("p", 0);
        pod.Spec.Affinity = new V1Affinity
        {
            PodAntiAffinity = new V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PodAffinityTerm
                    {
                        TopologyKey = "kubernetes.io/hostname",
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                    },
                ],
            },
        };
        _cache.Assume(pod, PodRequests.Of(pod), "b");
        _cache.UpdateSnapshot(_snapshot);

        Assert.Equal(["b"], _snapshot.HavePodsWithAffinity.Select(n => n.Name));
        Assert.Equal(["b"], _snapshot.HavePodsWithRequiredAntiAffinity.Select(n => n.Name));

        _cache.Forget("default/p");
        _cache.UpdateSnapshot(_snapshot);
        Assert.Empty(_snapshot.HavePodsWithRequiredAntiAffinity);
    }
}
