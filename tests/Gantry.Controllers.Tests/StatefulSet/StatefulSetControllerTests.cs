using Gantry.Client;
using Gantry.Controllers.History;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;
using static Gantry.Controllers.Tests.StatefulSet.StatefulSetTestKit;

namespace Gantry.Controllers.Tests.StatefulSet;

public sealed class StatefulSetControllerTests
{
    [Fact]
    public async Task OrderedReady_CreatesPodsOneAtATime_WaitingForEachToBeReady()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(3));

        var first = await ReadyAsync(cluster, "web-0");
        Assert.Equal("web-0", first.Spec.Hostname);
        Assert.Equal("nginx", first.Spec.Subdomain);
        Assert.Equal("web-0", first.Metadata.Labels["statefulset.kubernetes.io/pod-name"]);
        Assert.Equal("0", first.Metadata.Labels["apps.kubernetes.io/pod-index"]);
        Assert.Equal("StatefulSet", first.Metadata.OwnerReferences.Single().Kind);

        await TestCluster.EventuallyAsync(async () => await PodAsync(cluster, "web-1") is not null, "web-1 after web-0 is ready");
        await Task.Delay(300);
        Assert.Null(await PodAsync(cluster, "web-2"));

        await ReadyAsync(cluster, "web-1");
        await ReadyAsync(cluster, "web-2");
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status?.ReadyReplicas == 3, "three ready replicas");
        var set = await SetAsync(cluster);
        Assert.Equal(3, set.Status.Replicas);
        Assert.Equal(3, set.Status.AvailableReplicas);
        Assert.Equal(3, set.Status.CurrentReplicas);
        Assert.Equal(3, set.Status.UpdatedReplicas);
        Assert.Equal(set.Metadata.Generation, set.Status.ObservedGeneration);
        Assert.Equal(set.Status.CurrentRevision, set.Status.UpdateRevision);
        Assert.StartsWith("web-", set.Status.UpdateRevision);
        Assert.All(await PodsAsync(cluster), p => Assert.Equal(set.Status.UpdateRevision, p.Metadata.Labels[ControllerRevisionData.RevisionLabel]));
        await TestCluster.EventuallyAsync(async () => (await EventMessagesAsync(cluster, "SuccessfulCreate")).Count == 3, "three create events");
        Assert.Contains("create Pod web-0 in StatefulSet web successful", await EventMessagesAsync(cluster, "SuccessfulCreate"));
    }

    [Fact]
    public async Task OrderedReady_ScalesDownFromTheHighestOrdinal()
    {
        await using var cluster = await StartAsync();
        await using (KeepReady(cluster))
        {
            await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(3));
            await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status?.ReadyReplicas == 3, "three ready replicas");
        }
        var scale = await cluster.Client.For<V1StatefulSet>().GetScaleAsync(Ns, "web");
        scale.Spec.Replicas = 1;
        await cluster.Client.For<V1StatefulSet>().UpdateScaleAsync(Ns, "web", scale);

        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)).Count == 1, "scale down to one pod");
        Assert.Equal("web-0", (await PodsAsync(cluster)).Single().Metadata.Name);
        var deletes = await EventMessagesAsync(cluster, "SuccessfulDelete");
        Assert.Contains("delete Pod web-2 in StatefulSet web successful", deletes);
    }

    [Fact]
    public async Task Parallel_CreatesEveryPodWithoutWaiting()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(3, "Parallel"));

        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)).Count == 3, "three pods at once");
        Assert.Equal(["web-0", "web-1", "web-2"], (await PodsAsync(cluster)).Select(p => p.Metadata.Name));
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status?.Replicas == 3, "status counts three replicas");
        Assert.Equal(0, (await SetAsync(cluster)).Status.ReadyReplicas);
    }

    [Fact]
    public async Task ClaimsAreCreatedBeforeThePods_AndKeptAfterScaleDown()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(2, "Parallel", claims: true));

        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)).Count == 2, "two pods");
        var claims = cluster.Client.For<V1PersistentVolumeClaim>();
        var claim = await claims.GetAsync(Ns, "www-web-1");
        Assert.NotNull(claim);
        Assert.Equal("web", claim.Metadata.Labels["app"]);
        Assert.Null(claim.Metadata.OwnerReferences);
        var pod = (await PodAsync(cluster, "web-1"))!;
        Assert.Equal("www-web-1", pod.Spec.Volumes.Single(v => v.Name == "www").PersistentVolumeClaim.ClaimName);
        await TestCluster.EventuallyAsync(async () => (await EventMessagesAsync(cluster, "SuccessfulCreate")).Contains(
            "create Claim www-web-0 Pod web-0 in StatefulSet web success"), "claim create event");

        await ChangeSetAsync(cluster, set => set.Spec.Replicas = 1);
        await TestCluster.EventuallyAsync(async () => await PodAsync(cluster, "web-1") is null, "web-1 deleted");
        Assert.NotNull(await claims.GetAsync(Ns, "www-web-1"));
        Assert.NotNull(await claims.GetAsync(Ns, "www-web-0"));
    }

    [Fact]
    public async Task DeleteRetentionPolicy_MakesTheSetOwnClaims_AndAScaledDownPodOwnItsClaim()
    {
        await using var cluster = await StartAsync();
        var web = Web(2, "Parallel", claims: true);
        web.Spec.PersistentVolumeClaimRetentionPolicy = new V1StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = "Delete", WhenScaled = "Delete" };
        await cluster.Client.For<V1StatefulSet>().CreateAsync(web);
        var claims = cluster.Client.For<V1PersistentVolumeClaim>();

        await TestCluster.EventuallyAsync(async () => (await claims.GetAsync(Ns, "www-web-1"))?.Metadata.OwnerReferences?.Count == 1, "claim owned by the set");
        var owner = (await claims.GetAsync(Ns, "www-web-1"))!.Metadata.OwnerReferences.Single();
        Assert.Equal(("StatefulSet", "web", true), (owner.Kind, owner.Name, owner.Controller == true));

        await ChangeSetAsync(cluster, set => set.Spec.Replicas = 1);
        await TestCluster.EventuallyAsync(async () => await PodAsync(cluster, "web-1") is null, "web-1 deleted");
        var refs = (await claims.GetAsync(Ns, "www-web-1"))!.Metadata.OwnerReferences;
        Assert.Equal(("Pod", "web-1"), (refs.Single().Kind, refs.Single().Name));
        Assert.Equal("StatefulSet", (await claims.GetAsync(Ns, "www-web-0"))!.Metadata.OwnerReferences.Single().Kind);
    }

    [Fact]
    public async Task RollingUpdate_WithPartition_UpdatesOnlyOrdinalsAtOrAboveIt_FromTheHighestDown()
    {
        await using var cluster = await StartAsync();
        await using var ready = KeepReady(cluster);
        await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(3));
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status?.ReadyReplicas == 3, "three ready replicas");
        var oldRevision = (await SetAsync(cluster)).Status.CurrentRevision;
        var web0 = (await PodAsync(cluster, "web-0"))!.Metadata.Uid;

        await ChangeSetAsync(cluster, set =>
        {
            set.Spec.Template.Spec.Containers[0].Image = "nginx:1.26";
            set.Spec.UpdateStrategy = new V1StatefulSetUpdateStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateStatefulSetStrategy { Partition = 1 } };
        });

        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { UpdatedReplicas: 2, ReadyReplicas: 3 }, "two updated replicas");
        var set = await SetAsync(cluster);
        Assert.NotEqual(set.Status.CurrentRevision, set.Status.UpdateRevision);
        Assert.Equal(oldRevision, set.Status.CurrentRevision);
        Assert.Equal(1, set.Status.CurrentReplicas);
        var pods = await PodsAsync(cluster);
        Assert.Equal(web0, pods[0].Metadata.Uid);
        Assert.Equal("nginx:1.25", pods[0].Spec.Containers[0].Image);
        Assert.All(pods.Skip(1), p => Assert.Equal("nginx:1.26", p.Spec.Containers[0].Image));
        Assert.All(pods.Skip(1), p => Assert.Equal(set.Status.UpdateRevision, p.Metadata.Labels[ControllerRevisionData.RevisionLabel]));
        var deletes = await EventMessagesAsync(cluster, "SuccessfulDelete");
        Assert.Equal(["delete Pod web-2 in StatefulSet web successful", "delete Pod web-1 in StatefulSet web successful"], deletes);

        await ChangeSetAsync(cluster, s => s.Spec.UpdateStrategy.RollingUpdate.Partition = 0);
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status is { UpdatedReplicas: 3, ReadyReplicas: 3 } s && s.CurrentRevision == s.UpdateRevision,
            "rollout complete");
        Assert.Equal(3, (await SetAsync(cluster)).Status.CurrentReplicas);
    }

    [Fact]
    public async Task OnDelete_LeavesPodsAlone_UntilTheyAreDeleted()
    {
        await using var cluster = await StartAsync();
        var web = Web(2, "Parallel");
        web.Spec.UpdateStrategy = new V1StatefulSetUpdateStrategy { Type = "OnDelete" };
        await cluster.Client.For<V1StatefulSet>().CreateAsync(web);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)).Count == 2, "two pods");

        await ChangeSetAsync(cluster, set => set.Spec.Template.Spec.Containers[0].Image = "nginx:1.26");
        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status?.ObservedGeneration == 2, "new generation observed");
        await Task.Delay(300);
        Assert.All(await PodsAsync(cluster), p => Assert.Equal("nginx:1.25", p.Spec.Containers[0].Image));

        await cluster.Client.For<V1Pod>().DeleteAsync(Ns, "web-1");
        await TestCluster.EventuallyAsync(async () => (await PodAsync(cluster, "web-1"))?.Spec.Containers[0].Image == "nginx:1.26", "web-1 recreated on the new revision");
        Assert.Equal("nginx:1.25", (await PodAsync(cluster, "web-0"))!.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task AnOrphanPodWithAMembersName_IsAdopted_InsteadOfCreatingAnother()
    {
        await using var cluster = await StartAsync();
        var orphan = await cluster.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-0", NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = "nginx:1.25" }] },
        });
        await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(1));

        await TestCluster.EventuallyAsync(async () => (await PodAsync(cluster, "web-0"))?.Metadata.OwnerReferences?.Count == 1, "web-0 adopted");
        var adopted = (await PodAsync(cluster, "web-0"))!;
        Assert.Equal(orphan.Metadata.Uid, adopted.Metadata.Uid);
        Assert.Equal(("StatefulSet", true), (adopted.Metadata.OwnerReferences.Single().Kind, adopted.Metadata.OwnerReferences.Single().Controller == true));
    }

    [Fact]
    public async Task ScalingBackUp_WaitsWhileAClaimIsStillOwnedByTheDeletedPod()
    {
        await using var cluster = await StartAsync();
        var web = Web(2, "Parallel", claims: true);
        web.Spec.PersistentVolumeClaimRetentionPolicy = new V1StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = "Retain", WhenScaled = "Delete" };
        await cluster.Client.For<V1StatefulSet>().CreateAsync(web);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)).Count == 2, "two pods");
        var claims = cluster.Client.For<V1PersistentVolumeClaim>();

        await ChangeSetAsync(cluster, set => set.Spec.Replicas = 1);
        await TestCluster.EventuallyAsync(async () => await PodAsync(cluster, "web-1") is null, "web-1 deleted");
        Assert.Equal("Pod", (await claims.GetAsync(Ns, "www-web-1"))!.Metadata.OwnerReferences.Single().Kind);

        // No garbage collector runs here, so the claim keeps its reference to the old web-1.
        await ChangeSetAsync(cluster, set => set.Spec.Replicas = 2);
        await Task.Delay(500);
        Assert.Null(await PodAsync(cluster, "web-1"));

        await claims.DeleteAsync(Ns, "www-web-1");
        await TestCluster.EventuallyAsync(async () => await PodAsync(cluster, "web-1") is not null, "web-1 created once the stale claim is gone");
        Assert.Null((await claims.GetAsync(Ns, "www-web-1"))!.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task OrdinalsStart_NumbersThePodsFromIt()
    {
        await using var cluster = await StartAsync();
        var web = Web(2, "Parallel");
        web.Spec.Ordinals = new V1StatefulSetOrdinals { Start = 5 };
        await cluster.Client.For<V1StatefulSet>().CreateAsync(web);

        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster)).Count == 2, "two pods");
        Assert.Equal(["web-5", "web-6"], (await PodsAsync(cluster)).Select(p => p.Metadata.Name));
        Assert.Equal("6", (await PodAsync(cluster, "web-6"))!.Metadata.Labels["apps.kubernetes.io/pod-index"]);
    }
}
