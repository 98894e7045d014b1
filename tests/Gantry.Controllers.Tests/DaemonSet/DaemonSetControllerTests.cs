using Gantry.Controllers.DaemonSet;
using Gantry.Controllers.History;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;
using static Gantry.Controllers.Tests.DaemonSet.DaemonSetTestKit;

namespace Gantry.Controllers.Tests.DaemonSet;

public sealed class DaemonSetControllerTests
{
    private static Dictionary<string, string> Labels(string key, string value) => new() { [key] = value };

    [Fact]
    public async Task EveryNode_GetsOnePod_PinnedByNodeNameAffinity_WithTheDaemonTolerations()
    {
        await using var cluster = await StartAsync();
        foreach (var name in new[] { "node-a", "node-b", "node-c" }) await NodeAsync(cluster, name);
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent());

        await WaitForNodesAsync(cluster, "node-a", "node-b", "node-c");
        var pod = (await PodsAsync(cluster)).First();
        Assert.StartsWith("agent-", pod.Metadata.Name);
        Assert.Null(pod.Spec.NodeName);
        var requirement = pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchFields.Single();
        Assert.Equal(("metadata.name", "In"), (requirement.Key, requirement.OperatorProperty));
        Assert.Equal(
            ["node.kubernetes.io/disk-pressure:NoSchedule", "node.kubernetes.io/memory-pressure:NoSchedule", "node.kubernetes.io/not-ready:NoExecute",
             "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unschedulable:NoSchedule"],
            pod.Spec.Tolerations.Select(t => $"{t.Key}:{t.Effect}").Order(StringComparer.Ordinal));
        Assert.All(pod.Spec.Tolerations, t => Assert.Equal("Exists", t.OperatorProperty));
        Assert.Equal("1", pod.Metadata.Labels["pod-template-generation"]);
        Assert.Equal(("DaemonSet", "agent", true), (pod.Metadata.OwnerReferences.Single().Kind, pod.Metadata.OwnerReferences.Single().Name,
            pod.Metadata.OwnerReferences.Single().Controller == true));

        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { CurrentNumberScheduled: 3 }, "status counts the pods");
        var status = (await SetAsync(cluster)).Status;
        Assert.Equal((3, 3, 0, 0, 3, 3), (status.DesiredNumberScheduled, status.CurrentNumberScheduled, status.NumberMisscheduled, status.NumberReady,
            status.UpdatedNumberScheduled ?? 0, status.NumberUnavailable ?? 0));

        foreach (var each in await PodsAsync(cluster)) await cluster.MarkPodReadyAsync(each);
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { NumberReady: 3, NumberAvailable: 3, NumberUnavailable: null or 0 },
            "three ready and available pods");
        Assert.Equal(1, (await SetAsync(cluster)).Status.ObservedGeneration);
    }

    [Fact]
    public async Task NodeSelectorAndTaints_DecideWhichNodesRunAPod()
    {
        await using var cluster = await StartAsync();
        await NodeAsync(cluster, "ssd-1", Labels("disk", "ssd"));
        await NodeAsync(cluster, "hdd-1", Labels("disk", "hdd"));
        await NodeAsync(cluster, "ssd-tainted", Labels("disk", "ssd"), new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" });
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent(nodeSelector: Labels("disk", "ssd")));
        await WaitForNodesAsync(cluster, "ssd-1");

        await ChangeSetAsync(cluster, ds => ds.Spec.Template.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "db", Effect = "NoSchedule" }]);
        await TestCluster.EventuallyAsync(async () => (await PodNodesAsync(cluster)).Contains("ssd-tainted"), "a pod on the tolerated node");
        Assert.DoesNotContain("hdd-1", await PodNodesAsync(cluster));
    }

    [Fact]
    public async Task NodesJoiningLeavingAndRelabelled_GainAndLosePods()
    {
        await using var cluster = await StartAsync();
        await NodeAsync(cluster, "node-a", Labels("role", "edge"));
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent(nodeSelector: Labels("role", "edge")));
        await WaitForNodesAsync(cluster, "node-a");

        await NodeAsync(cluster, "node-b", Labels("role", "edge"));
        await WaitForNodesAsync(cluster, "node-a", "node-b");

        await ChangeNodeAsync(cluster, "node-a", n => n.Metadata.Labels.Remove("role"));
        await WaitForNodesAsync(cluster, "node-b");
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { DesiredNumberScheduled: 1, CurrentNumberScheduled: 1, NumberMisscheduled: 0 },
            "status follows the relabelled node");

        await cluster.Client.For<V1Node>().DeleteAsync(null, "node-b");
        await WaitForNodesAsync(cluster);
        var events = (await cluster.Client.For<Corev1Event>().ListAsync(Ns)).Items.Where(e => e.InvolvedObject.Name == "agent").ToList();
        Assert.Contains(events, e => e.Reason == "SuccessfulCreate" && e.Message.StartsWith("Created pod: agent-", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Reason == "SuccessfulDelete" && e.Message.StartsWith("Deleted pod: agent-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANoScheduleTaint_KeepsTheRunningPod_ButANoExecuteTaintEvictsIt()
    {
        await using var cluster = await StartAsync();
        await NodeAsync(cluster, "node-a");
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent());
        await WaitForNodesAsync(cluster, "node-a");

        await ChangeNodeAsync(cluster, "node-a", n => n.Spec.Taints = [new V1Taint { Key = "maintenance", Effect = "NoSchedule" }]);
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { NumberMisscheduled: 1, DesiredNumberScheduled: 0 }, "pod counted as misscheduled");
        Assert.Single(await PodsAsync(cluster));

        await ChangeNodeAsync(cluster, "node-a", n => n.Spec.Taints = [new V1Taint { Key = "maintenance", Effect = "NoExecute" }]);
        await WaitForNodesAsync(cluster);
    }

    [Fact]
    public async Task RollingUpdate_ReplacesPodsOnAllNodes_AndRecordsRevisions()
    {
        await using var cluster = await StartAsync();
        await using var ready = KeepReady(cluster);
        foreach (var name in new[] { "node-a", "node-b", "node-c" }) await NodeAsync(cluster, name);
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent());
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { NumberAvailable: 3 }, "three available pods");
        var firstHash = (await PodsAsync(cluster)).First().Metadata.Labels[ControllerRevisionData.RevisionLabel];

        await ChangeSetAsync(cluster, ds => ds.Spec.Template.Spec.Containers[0].Image = "agent:2");
        await TestCluster.EventuallyAsync(async () =>
        {
            var pods = await PodsAsync(cluster);
            return pods.Count == 3 && pods.All(p => p.Spec.Containers[0].Image == "agent:2") &&
                (await SetAsync(cluster)).Status is { UpdatedNumberScheduled: 3, NumberAvailable: 3, ObservedGeneration: 2 };
        }, "rollout to agent:2");

        var revisions = (await cluster.Client.For<V1ControllerRevision>().ListAsync(Ns)).Items.OrderBy(r => r.Revision).ToList();
        Assert.Equal([1L, 2L], revisions.Select(r => r.Revision ?? 0));
        Assert.Equal($"agent-{firstHash}", revisions[0].Metadata.Name);
        var newHash = (await PodsAsync(cluster)).First().Metadata.Labels[ControllerRevisionData.RevisionLabel];
        Assert.Equal(newHash, revisions[1].Metadata.Labels[ControllerRevisionData.RevisionLabel]);
        Assert.Equal("agent:2", ControllerRevisionData.Template(revisions[1].Data)!.Spec.Containers[0].Image);
        Assert.Equal(3, (await cluster.Client.For<Corev1Event>().ListAsync(Ns)).Items.Count(e => e.Reason == "SuccessfulDelete"));
    }

    [Fact]
    public async Task RollingUpdate_WithMaxSurge_StartsTheNewPodBeforeDeletingTheOld()
    {
        await using var cluster = await StartAsync();
        await NodeAsync(cluster, "node-a");
        var agent = Agent();
        agent.Spec.UpdateStrategy = new V1DaemonSetUpdateStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDaemonSet { MaxSurge = "1", MaxUnavailable = "0" },
        };
        await cluster.Client.For<V1DaemonSet>().CreateAsync(agent);
        await WaitForNodesAsync(cluster, "node-a");
        var old = (await PodsAsync(cluster)).Single();
        await cluster.MarkPodReadyAsync(old);
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { NumberAvailable: 1 }, "old pod available");

        await ChangeSetAsync(cluster, ds => ds.Spec.Template.Spec.Containers[0].Image = "agent:2");
        await WaitForNodesAsync(cluster, "node-a", "node-a");
        var surge = (await PodsAsync(cluster)).Single(p => p.Metadata.Uid != old.Metadata.Uid);
        Assert.Equal("agent:2", surge.Spec.Containers[0].Image);

        await cluster.MarkPodReadyAsync(surge);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)).Select(p => p.Metadata.Uid).SequenceEqual([surge.Metadata.Uid]),
            "old pod deleted once the new one is available");
    }

    [Fact]
    public async Task OnDelete_ReplacesAPodOnlyWhenItIsDeleted()
    {
        await using var cluster = await StartAsync();
        await NodeAsync(cluster, "node-a");
        await NodeAsync(cluster, "node-b");
        var agent = Agent();
        agent.Spec.UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "OnDelete" };
        await cluster.Client.For<V1DaemonSet>().CreateAsync(agent);
        await WaitForNodesAsync(cluster, "node-a", "node-b");

        await ChangeSetAsync(cluster, ds => ds.Spec.Template.Spec.Containers[0].Image = "agent:2");
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { ObservedGeneration: 2, UpdatedNumberScheduled: null or 0 }, "new generation observed");
        Assert.All(await PodsAsync(cluster), p => Assert.Equal("agent:1", p.Spec.Containers[0].Image));

        var onA = (await PodsAsync(cluster)).Single(p => TargetNode(p) == "node-a");
        await cluster.Client.For<V1Pod>().DeleteAsync(Ns, onA.Metadata.Name);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)).Any(p => TargetNode(p) == "node-a" && p.Spec.Containers[0].Image == "agent:2"),
            "node-a gets a pod of the new template");
        Assert.Equal("agent:1", (await PodsAsync(cluster)).Single(p => TargetNode(p) == "node-b").Spec.Containers[0].Image);
    }

    [Fact]
    public async Task APodRelabelledOutOfTheSelector_IsReleased_AndReplaced()
    {
        await using var cluster = await StartAsync();
        await NodeAsync(cluster, "node-a");
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent());
        await WaitForNodesAsync(cluster, "node-a");
        var first = (await PodsAsync(cluster)).Single();

        await cluster.Client.For<V1Pod>().PatchAsync(Ns, first.Metadata.Name, Gantry.Client.PatchType.Merge,
            new { metadata = new { labels = new { app = "debug" } } });
        await TestCluster.EventuallyAsync(async () => (await cluster.Client.For<V1Pod>().GetAsync(Ns, first.Metadata.Name))?.Metadata.OwnerReferences is null or { Count: 0 },
            "the relabelled pod released");
        await WaitForNodesAsync(cluster, "node-a");
        Assert.NotEqual(first.Metadata.Uid, (await PodsAsync(cluster)).Single().Metadata.Uid);
    }

    [Fact]
    public async Task RequiredNodeAffinity_LimitsTheNodes_AndHostNetworkPodsTolerateAnUnavailableNetwork()
    {
        await using var cluster = await StartAsync();
        await NodeAsync(cluster, "zone-a", Labels("zone", "a"));
        await NodeAsync(cluster, "zone-b", Labels("zone", "b"), new V1Taint { Key = "node.kubernetes.io/network-unavailable", Effect = "NoSchedule" });
        await NodeAsync(cluster, "zone-c", Labels("zone", "c"));
        var agent = Agent();
        agent.Spec.Template.Spec.HostNetwork = true;
        agent.Spec.Template.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["a", "b"] }] }],
                },
            },
        };
        await cluster.Client.For<V1DaemonSet>().CreateAsync(agent);

        await WaitForNodesAsync(cluster, "zone-a", "zone-b");
        var pod = (await PodsAsync(cluster)).First();
        Assert.Contains(pod.Spec.Tolerations, t => t.Key == "node.kubernetes.io/network-unavailable" && t.Effect == "NoSchedule");
        // The pod's own required terms are replaced by the node-name term: the controller already checked them.
        Assert.Null(pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchExpressions);
    }

    [Fact]
    public async Task AFailedPod_IsReplaced_ButRepeatedFailuresOnANodeBackOff()
    {
        await using var cluster = await StartAsync(new DaemonSetOptions { FailedPodBackoff = TimeSpan.FromSeconds(2) });
        await NodeAsync(cluster, "node-a");
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent());
        await WaitForNodesAsync(cluster, "node-a");
        var first = (await PodsAsync(cluster)).Single();

        await cluster.MarkPodFinishedAsync(first, succeeded: false);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)) is [var p] && p.Metadata.Uid != first.Metadata.Uid, "failed pod replaced");
        var events = (await cluster.Client.For<Corev1Event>().ListAsync(Ns)).Items;
        Assert.Contains(events, e => e.Reason == "FailedDaemonPod" && e.Type == "Warning" &&
            e.Message == $"Found failed daemon pod {Ns}/{first.Metadata.Name} on node node-a, will try to kill it");

        var second = (await PodsAsync(cluster)).Single();
        await cluster.MarkPodFinishedAsync(second, succeeded: false);
        await Task.Delay(500);
        Assert.Equal(second.Metadata.Uid, (await PodsAsync(cluster)).Single().Metadata.Uid);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)) is [var p] && p.Metadata.Uid != second.Metadata.Uid, "second failed pod replaced after the backoff");
    }

    [Fact]
    public async Task AControllerRestart_RebuildsEverythingFromTheApi_WithoutDuplicatePods()
    {
        await using var cluster = await StartAsync();
        await NodeAsync(cluster, "node-a");
        await NodeAsync(cluster, "node-b");
        await cluster.Client.For<V1DaemonSet>().CreateAsync(Agent());
        await WaitForNodesAsync(cluster, "node-a", "node-b");
        var before = (await PodsAsync(cluster)).Select(p => p.Metadata.Uid).Order(StringComparer.Ordinal).ToList();

        await cluster.StopControllersAsync();
        await NodeAsync(cluster, "node-c");
        // A fresh manager (TestCluster.StartControllers reuses its cancelled stop token, so it cannot restart).
        using var stop = new CancellationTokenSource();
        await using var manager = new ControllerManager(cluster.Client, [c => new DaemonSetController(c)], options: new ControllerOptions { Workers = 2 });
        var running = manager.RunAsync(stop.Token);

        await WaitForNodesAsync(cluster, "node-a", "node-b", "node-c");
        await Task.Delay(300);
        var after = (await PodsAsync(cluster)).Select(p => p.Metadata.Uid).ToList();
        Assert.Equal(3, after.Count);
        Assert.All(before, uid => Assert.Contains(uid, after));
        Assert.Single((await cluster.Client.For<V1ControllerRevision>().ListAsync(Ns)).Items);
        await stop.CancelAsync();
        await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }
}
