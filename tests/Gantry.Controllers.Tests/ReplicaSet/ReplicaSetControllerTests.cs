using Gantry.Client;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.ReplicaSet.ReplicaSetTestKit;

namespace Gantry.Controllers.Tests.ReplicaSet;

public sealed class ReplicaSetControllerTests
{
    [Fact]
    public async Task NewReplicaSet_CreatesOwnedPodsNamedAfterIt_AndReportsThemInStatus()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        var rs = await cluster.CreateReplicaSetAsync("web", 3);

        await cluster.WaitForPodsAsync("web", 3);
        var pods = await cluster.ActivePodsAsync("web");
        foreach (var pod in pods)
        {
            Assert.Matches("^web-[a-z0-9]{5}$", pod.Metadata.Name);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "ReplicaSet", "web", rs.Metadata.Uid), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));
            Assert.True(owner.Controller);
            Assert.True(owner.BlockOwnerDeletion);
            Assert.Equal("web", pod.Metadata.Labels["tier"]);
        }
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 3 && s.FullyLabeledReplicas == 3 && s.ObservedGeneration == rs.Metadata.Generation,
            "3 replicas observed");
        var status = (await cluster.GetReplicaSetAsync("web")).Status;
        Assert.Equal(0, status.ReadyReplicas ?? 0);
        Assert.Equal(0, status.AvailableReplicas ?? 0);

        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAboutAsync("web", "SuccessfulCreate")).Count == 3, "3 SuccessfulCreate events");
        var messages = (await cluster.EventsAboutAsync("web", "SuccessfulCreate")).Select(e => e.Message).Order().ToList();
        Assert.Equal(pods.Select(p => $"Created pod: {p.Metadata.Name}").Order().ToList(), messages);
        Assert.All(await cluster.EventsAboutAsync("web", "SuccessfulCreate"), e => Assert.Equal("replicaset-controller", e.Source.Component));
    }

    [Fact]
    public async Task ScalingUpAndDown_CreatesAndDeletesPodsToMatchReplicas()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        await cluster.CreateReplicaSetAsync("web", 2);
        await cluster.WaitForPodsAsync("web", 2);

        await cluster.ScaleAsync("web", 5);
        await cluster.WaitForPodsAsync("web", 5);
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 5, "5 replicas");

        await cluster.ScaleAsync("web", 1);
        await cluster.WaitForPodsAsync("web", 1);
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 1 && s.ObservedGeneration == 3, "1 replica at generation 3");
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAboutAsync("web", "SuccessfulDelete")).Count == 4, "4 SuccessfulDelete events");
        Assert.All(await cluster.EventsAboutAsync("web", "SuccessfulDelete"), e => Assert.StartsWith("Deleted pod: web-", e.Message));
    }

    [Fact]
    public async Task PodsDeletedByOthers_AreReplaced()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        await cluster.CreateReplicaSetAsync("web", 3);
        await cluster.WaitForPodsAsync("web", 3);
        var before = await cluster.ActivePodsAsync("web");

        await cluster.Client.For<V1Pod>().DeleteAsync(Ns, before[0].Metadata.Name, new DeleteOptions { GracePeriodSeconds = 0 });
        await cluster.Client.For<V1Pod>().DeleteAsync(Ns, before[1].Metadata.Name, new DeleteOptions { GracePeriodSeconds = 0 });

        await TestCluster.EventuallyAsync(async () =>
        {
            var names = (await cluster.ActivePodsAsync("web")).Select(p => p.Metadata.Name).ToList();
            return names.Count == 3 && !names.Contains(before[0].Metadata.Name) && !names.Contains(before[1].Metadata.Name);
        }, "two replacement pods");
    }

    [Fact]
    public async Task FinishedPods_DoNotCount_AndAreReplaced()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        await cluster.CreateReplicaSetAsync("web", 2);
        await cluster.WaitForPodsAsync("web", 2);
        var pods = await cluster.ActivePodsAsync("web");

        await cluster.MarkPodFinishedAsync(pods[0], succeeded: false);
        await cluster.MarkPodFinishedAsync(pods[1], succeeded: true);

        await TestCluster.EventuallyAsync(async () => (await cluster.ActivePodsAsync("web")).Count == 2 && (await cluster.AllPodsAsync()).Count == 4,
            "two replacements next to the two finished pods");
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 2, "2 replicas");
    }

    [Fact]
    public async Task MatchingOrphanPod_IsAdoptedInsteadOfCreatingAnother()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        await cluster.Client.For<V1Pod>().CreateAsync(NewPod("stray", new Dictionary<string, string> { ["app"] = "web" }));
        var rs = await cluster.CreateReplicaSetAsync("web", 2);

        await cluster.WaitForPodsAsync("web", 2);
        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<V1Pod>().GetAsync(Ns, "stray"))?.Metadata.OwnerReferences?.SingleOrDefault()?.Uid == rs.Metadata.Uid,
            "the orphan adopted");
        var stray = await cluster.Client.For<V1Pod>().GetAsync(Ns, "stray");
        Assert.True(stray!.Metadata.OwnerReferences[0].Controller);
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 2 && s.FullyLabeledReplicas == 1, "2 replicas, 1 fully labelled");
        Assert.Single(await cluster.EventsAboutAsync("web", "SuccessfulCreate"));
    }

    [Fact]
    public async Task OwnedPodThatStopsMatching_IsReleasedAndReplaced()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        await cluster.CreateReplicaSetAsync("web", 2);
        await cluster.WaitForPodsAsync("web", 2);
        var pod = (await cluster.ActivePodsAsync("web"))[0];

        await cluster.Client.For<V1Pod>().PatchAsync(Ns, pod.Metadata.Name, PatchType.Merge, new { metadata = new { labels = new { app = "debug" } } });

        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<V1Pod>().GetAsync(Ns, pod.Metadata.Name))?.Metadata.OwnerReferences is null or { Count: 0 }, "the pod released");
        await cluster.WaitForPodsAsync("web", 2);
        Assert.DoesNotContain(pod.Metadata.Name, (await cluster.ActivePodsAsync("web")).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task MatchingPodControlledByAnotherOwner_IsNeitherAdoptedNorCounted()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        var foreign = NewPod("foreign", new Dictionary<string, string> { ["app"] = "web" });
        foreign.Metadata.OwnerReferences =
        [
            new V1OwnerReference { ApiVersion = "apps/v1", Kind = "StatefulSet", Name = "db", Uid = Guid.NewGuid().ToString(), Controller = true },
        ];
        await cluster.Client.For<V1Pod>().CreateAsync(foreign);
        await cluster.CreateReplicaSetAsync("web", 2);

        await cluster.WaitForStatusAsync("web", s => s.Replicas == 2, "2 replicas of its own");
        Assert.Equal(3, (await cluster.ActivePodsAsync("web")).Count);
        var after = await cluster.Client.For<V1Pod>().GetAsync(Ns, "foreign");
        Assert.Equal("StatefulSet", Assert.Single(after!.Metadata.OwnerReferences).Kind);
    }
}
