using Gantry.Client;
using Gantry.Controllers.GarbageCollector;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.GarbageCollector;

public sealed class GarbageCollectorTests
{
    private const string Ns = "default";

    [Fact]
    public async Task DeletingAReplicaSetInTheBackground_DeletesItsPods()
    {
        await using var cluster = await StartAsync();
        var rs = await CreateReplicaSetAsync(cluster, "web");
        await CreatePodAsync(cluster, "web-1", rs);
        await CreatePodAsync(cluster, "web-2", rs);

        await cluster.Client.For<V1ReplicaSet>().DeleteAsync(Ns, "web", DeleteOptions.Background);

        await TestCluster.EventuallyAsync(async () => (await Pods(cluster)).Count == 0, "the pods to be collected");
    }

    [Fact]
    public async Task DeletingAReplicaSetInTheForeground_KeepsItUntilItsPodsAreGone()
    {
        await using var cluster = await StartAsync();
        var rs = await CreateReplicaSetAsync(cluster, "web");
        await CreatePodAsync(cluster, "web-1", rs);
        await CreatePodAsync(cluster, "web-held", rs, finalizer: "example.com/hold");

        await cluster.Client.For<V1ReplicaSet>().DeleteAsync(Ns, "web", DeleteOptions.Foreground);

        await TestCluster.EventuallyAsync(async () =>
            await cluster.Client.For<V1Pod>().GetAsync(Ns, "web-1") is null
            && (await cluster.Client.For<V1Pod>().GetAsync(Ns, "web-held"))?.Metadata.DeletionTimestamp is not null, "the pods to be deleted");
        var waiting = await cluster.Client.For<V1ReplicaSet>().GetAsync(Ns, "web");
        Assert.NotNull(waiting);
        Assert.NotNull(waiting.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", waiting.Metadata.Finalizers);

        await cluster.Client.For<V1Pod>().PatchAsync(Ns, "web-held", PatchType.Merge, """{"metadata":{"finalizers":null}}""");

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1ReplicaSet>().GetAsync(Ns, "web") is null,
            "the replica set to go once its pods are gone");
    }

    [Fact]
    public async Task DeletingAReplicaSetWithOrphan_LeavesItsPodsWithoutOwnerReferences()
    {
        await using var cluster = await StartAsync();
        var rs = await CreateReplicaSetAsync(cluster, "web");
        await CreatePodAsync(cluster, "web-1", rs);
        await CreatePodAsync(cluster, "web-2", rs);

        await cluster.Client.For<V1ReplicaSet>().DeleteAsync(Ns, "web", DeleteOptions.Orphan);

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1ReplicaSet>().GetAsync(Ns, "web") is null, "the replica set to go");
        var pods = await Pods(cluster);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Null(p.Metadata.OwnerReferences));
    }

    [Fact]
    public async Task DeletingADeployment_CascadesToItsReplicaSetsAndTheirPods()
    {
        await using var cluster = await StartAsync();
        var deployment = await cluster.Client.For<V1Deployment>().CreateAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns },
            Spec = new V1DeploymentSpec { Replicas = 0, Selector = Selector(), Template = Template() },
        });
        var rs = await CreateReplicaSetAsync(cluster, "web-abc", deployment);
        await CreatePodAsync(cluster, "web-abc-1", rs);

        await cluster.Client.For<V1Deployment>().DeleteAsync(Ns, "web");

        await TestCluster.EventuallyAsync(async () =>
            await cluster.Client.For<V1ReplicaSet>().GetAsync(Ns, "web-abc") is null && (await Pods(cluster)).Count == 0,
            "the replica set and its pods to be collected");
    }

    [Fact]
    public async Task DeletingADeploymentInTheForeground_DeletesTheReplicaSetInTheForegroundToo()
    {
        await using var cluster = await StartAsync();
        var deployment = await cluster.Client.For<V1Deployment>().CreateAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns },
            Spec = new V1DeploymentSpec { Replicas = 0, Selector = Selector(), Template = Template() },
        });
        var rs = await CreateReplicaSetAsync(cluster, "web-abc", deployment);
        await CreatePodAsync(cluster, "web-abc-held", rs, finalizer: "example.com/hold");

        await cluster.Client.For<V1Deployment>().DeleteAsync(Ns, "web", DeleteOptions.Foreground);

        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<V1ReplicaSet>().GetAsync(Ns, "web-abc"))?.Metadata.Finalizers?.Contains("foregroundDeletion") == true,
            "the replica set to be deleted in the foreground");
        Assert.NotNull((await cluster.Client.For<V1Deployment>().GetAsync(Ns, "web"))?.Metadata.DeletionTimestamp);

        await cluster.Client.For<V1Pod>().PatchAsync(Ns, "web-abc-held", PatchType.Merge, """{"metadata":{"finalizers":null}}""");

        await TestCluster.EventuallyAsync(async () =>
            await cluster.Client.For<V1Deployment>().GetAsync(Ns, "web") is null && await cluster.Client.For<V1ReplicaSet>().GetAsync(Ns, "web-abc") is null,
            "the deployment and its replica set to go");
    }

    [Fact]
    public async Task DependentsOfAnOwnerDeletedWhileTheCollectorWasDown_AreCollectedWhenItStarts()
    {
        await using var cluster = await TestCluster.StartAsync();
        var rs = await CreateReplicaSetAsync(cluster, "web");
        await CreatePodAsync(cluster, "web-1", rs);
        await cluster.Client.For<V1ReplicaSet>().DeleteAsync(Ns, "web", DeleteOptions.Background);

        cluster.StartControllers(new ControllerOptions(), c => new GarbageCollectorController(c));

        await TestCluster.EventuallyAsync(async () => (await Pods(cluster)).Count == 0, "the pod to be collected");
    }

    [Fact]
    public async Task ADependentWhoseOwnerUidDoesNotMatch_IsDeletedAsDangling()
    {
        await using var cluster = await StartAsync();
        var rs = await CreateReplicaSetAsync(cluster, "web");
        var impostor = ObjectCopy.DeepCopy(rs);
        impostor.Metadata.Uid = Guid.NewGuid().ToString();

        await CreatePodAsync(cluster, "stale", impostor);
        await CreatePodAsync(cluster, "owned", rs);

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1Pod>().GetAsync(Ns, "stale") is null, "the dangling pod to go");
        Assert.NotNull(await cluster.Client.For<V1Pod>().GetAsync(Ns, "owned"));
    }

    [Fact]
    public async Task ADependentWithAnotherLiveOwner_LosesOnlyTheGoneOwnersReference()
    {
        await using var cluster = await StartAsync();
        var first = await CreateReplicaSetAsync(cluster, "first");
        var second = await CreateReplicaSetAsync(cluster, "second");
        var pod = Pod("shared", first);
        pod.Metadata.OwnerReferences.Add(Reference(second, controller: false));
        await cluster.Client.For<V1Pod>().CreateAsync(pod);

        await cluster.Client.For<V1ReplicaSet>().DeleteAsync(Ns, "first");

        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<V1Pod>().GetAsync(Ns, "shared"))?.Metadata.OwnerReferences is [{ Name: "second" }],
            "the pod to keep only its live owner");
    }

    private static Task<TestCluster> StartAsync() => TestCluster.StartAsync(c => new GarbageCollectorController(c));

    private static async Task<IReadOnlyList<V1Pod>> Pods(TestCluster cluster) => (await cluster.Client.For<V1Pod>().ListAsync(Ns)).Items;

    private static V1LabelSelector Selector() => new() { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };

    private static V1PodTemplateSpec Template() => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
    };

    private static Task<V1ReplicaSet> CreateReplicaSetAsync(TestCluster cluster, string name, V1Deployment? owner = null) =>
        cluster.Client.For<V1ReplicaSet>().CreateAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta
            {
                Name = name, NamespaceProperty = Ns,
                OwnerReferences = owner is null ? null :
                    [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = owner.Name(), Uid = owner.Uid(), Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, Selector = Selector(), Template = Template() },
        });

    private static Task<V1Pod> CreatePodAsync(TestCluster cluster, string name, V1ReplicaSet owner, string? finalizer = null)
    {
        var pod = Pod(name, owner);
        if (finalizer is not null) pod.Metadata.Finalizers = [finalizer];
        return cluster.Client.For<V1Pod>().CreateAsync(pod);
    }

    private static V1Pod Pod(string name, V1ReplicaSet owner) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["app"] = "web" },
            OwnerReferences = [Reference(owner, controller: true)],
        },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
    };

    private static V1OwnerReference Reference(V1ReplicaSet owner, bool controller) => new()
    {
        ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = owner.Name(), Uid = owner.Uid(), Controller = controller, BlockOwnerDeletion = true,
    };
}
