using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.ReplicaSet.ReplicaSetTestKit;

namespace Gantry.Controllers.Tests.ReplicaSet;

public sealed class ReplicationManagerTests
{
    [Fact]
    public async Task ReplicationController_KeepsItsReplicasAndReportsStatus()
    {
        await using var cluster = await TestCluster.StartAsync(Options, ReplicationControllers);
        var rcs = cluster.Client.For<V1ReplicationController>();
        var rc = await rcs.CreateAsync(new V1ReplicationController
        {
            ApiVersion = "v1",
            Kind = "ReplicationController",
            Metadata = new V1ObjectMeta { Name = "legacy", NamespaceProperty = Ns },
            Spec = new V1ReplicationControllerSpec
            {
                Replicas = 3,
                Selector = new Dictionary<string, string> { ["app"] = "legacy" },
                Template = Template("legacy"),
            },
        });

        await cluster.WaitForPodsAsync("legacy", 3);
        foreach (var pod in await cluster.ActivePodsAsync("legacy"))
        {
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("v1", "ReplicationController", "legacy", rc.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller));
            Assert.StartsWith("legacy-", pod.Metadata.Name);
        }
        await cluster.MarkPodReadyAsync((await cluster.ActivePodsAsync("legacy"))[0]);

        await RetryOnConflictAsync(async () =>
        {
            var scale = await rcs.GetScaleAsync(Ns, "legacy");
            scale.Spec.Replicas = 1;
            await rcs.UpdateScaleAsync(Ns, "legacy", scale);
        });

        await cluster.WaitForPodsAsync("legacy", 1);
        await TestCluster.EventuallyAsync(async () => (await rcs.GetAsync(Ns, "legacy"))?.Status is
            { Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1, FullyLabeledReplicas: 1, ObservedGeneration: 2 }, "rc status");
        var created = await cluster.EventsAboutAsync("legacy", "SuccessfulCreate");
        Assert.Equal(3, created.Count);
        Assert.All(created, e => Assert.Equal(("replication-controller", "ReplicationController"), (e.Source.Component, e.InvolvedObject.Kind)));
    }
}
