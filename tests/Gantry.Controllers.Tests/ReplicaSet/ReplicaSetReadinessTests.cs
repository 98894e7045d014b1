using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.ReplicaSet.ReplicaSetTestKit;

namespace Gantry.Controllers.Tests.ReplicaSet;

public sealed class ReplicaSetReadinessTests
{
    [Fact]
    public async Task ReadyPods_CountAsReadyAndAvailable()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        await cluster.CreateReplicaSetAsync("web", 3);
        await cluster.WaitForPodsAsync("web", 3);
        var pods = await cluster.ActivePodsAsync("web");

        await cluster.MarkPodReadyAsync(pods[0]);
        await cluster.MarkPodReadyAsync(pods[1]);
        await cluster.MarkPodReadyAsync(pods[2], ready: false);

        await cluster.WaitForStatusAsync("web", s => s.ReadyReplicas == 2 && s.AvailableReplicas == 2 && s.Replicas == 3, "2 ready and available");
    }

    [Fact]
    public async Task AvailableReplicas_FollowOnceReadyPodsHaveBeenReadyForMinReadySeconds()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        await cluster.CreateReplicaSetAsync("web", 2, minReadySeconds: 2);
        await cluster.WaitForPodsAsync("web", 2);
        foreach (var pod in await cluster.ActivePodsAsync("web")) await cluster.MarkPodReadyAsync(pod);

        await cluster.WaitForStatusAsync("web", s => s.ReadyReplicas == 2, "2 ready");
        Assert.Equal(0, (await cluster.GetReplicaSetAsync("web")).Status.AvailableReplicas ?? 0);
        // Nothing changes on the pods from here: only the controller's delayed second look can make them available.
        await cluster.WaitForStatusAsync("web", s => s.AvailableReplicas == 2, "2 available after minReadySeconds");
    }

    [Fact]
    public async Task ScalingDown_DeletesUnscheduledThenNotReadyPodsBeforeReadyOnes()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicaSets);
        await cluster.CreateReplicaSetAsync("web", 4);
        await cluster.WaitForPodsAsync("web", 4);
        var pods = await cluster.ActivePodsAsync("web");
        var (unscheduled, notReady, ready) = (pods[0], pods[1], pods.Skip(2).ToList());
        foreach (var pod in pods.Skip(1)) await cluster.Client.BindAsync(Ns, pod.Metadata.Name, "node-1");
        await cluster.MarkPodReadyAsync(notReady, ready: false);
        foreach (var pod in ready) await cluster.MarkPodReadyAsync(pod);
        await cluster.WaitForStatusAsync("web", s => s.ReadyReplicas == 2, "2 ready");

        await cluster.ScaleAsync("web", 3);
        await cluster.WaitForPodsAsync("web", 3);
        Assert.DoesNotContain(unscheduled.Metadata.Name, (await cluster.ActivePodsAsync("web")).Select(p => p.Metadata.Name));

        await cluster.ScaleAsync("web", 2);
        await cluster.WaitForPodsAsync("web", 2);
        Assert.Equal(ready.Select(p => p.Metadata.Name).Order(), (await cluster.ActivePodsAsync("web")).Select(p => p.Metadata.Name).Order());
        // Bound pods terminate gracefully: the deleted one is still there, marked for deletion.
        Assert.NotNull((await cluster.Client.For<V1Pod>().GetAsync(Ns, notReady.Metadata.Name))?.Metadata.DeletionTimestamp);
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 2 && s.ReadyReplicas == 2, "the terminating pod not counted");
    }
}
