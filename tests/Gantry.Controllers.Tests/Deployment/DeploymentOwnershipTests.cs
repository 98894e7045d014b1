using Gantry.Controllers.Deployment;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.Deployment;

[Collection(DeploymentCollection.Name)]
public sealed class DeploymentOwnershipTests(DeploymentFixture fixture)
{
    private readonly DeploymentTestSupport _support = new(fixture.Cluster.Client);

    [Fact]
    public async Task NameTakenByAnotherReplicaSet_BumpsCollisionCountAndUsesANewHash()
    {
        var deployment = DeploymentFixture.NewDeployment("collide", 2);
        deployment.Spec.Paused = true;
        var stored = await _support.Deployments.CreateAsync(deployment);
        var squatter = new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta { Name = $"collide-{PodTemplateHash.Compute(stored.Spec.Template, null)}", NamespaceProperty = "default" },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 0,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "squatter" } },
                Template = DeploymentFixture.NewDeployment("squatter", 0).Spec.Template,
            },
        };
        await _support.ReplicaSets.CreateAsync(squatter);

        await _support.EditAsync("collide", d => d.Spec.Paused = false);
        await _support.WaitForRolloutAsync("collide");

        var d = await _support.GetAsync("collide");
        Assert.Equal(1, d.Status.CollisionCount);
        var rs = Assert.Single(await _support.ReplicaSetsOfAsync("collide"));
        Assert.Equal($"collide-{PodTemplateHash.Compute(stored.Spec.Template, 1)}", rs.Metadata.Name);
        Assert.Null((await _support.ReplicaSets.GetAsync("default", squatter.Metadata.Name))!.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task MatchingOrphanReplicaSet_IsAdopted()
    {
        var template = DeploymentFixture.NewDeployment("adopt", 1).Spec.Template;
        await _support.ReplicaSets.CreateAsync(new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta { Name = "adopt-orphan", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = "adopt" } },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "adopt" } },
                Template = template,
            },
        });
        var created = await _support.Deployments.CreateAsync(DeploymentFixture.NewDeployment("adopt", 1));

        await TestCluster.EventuallyAsync(async () =>
            (await _support.ReplicaSets.GetAsync("default", "adopt-orphan"))?.Metadata.OwnerReferences?.SingleOrDefault()?.Uid == created.Metadata.Uid,
            "the orphan to be adopted");
        await _support.WaitForRolloutAsync("adopt");
    }

    [Fact]
    public async Task ReplicaCountChange_ScalesTheReplicaSetWithoutANewRevision()
    {
        await _support.Deployments.CreateAsync(DeploymentFixture.NewDeployment("scale", 3));
        await _support.WaitForRolloutAsync("scale");
        var (exitCode, output) = await Kubectl.RunAsync(fixture.Cluster.Kubeconfig, "scale", "deployment/scale", "--replicas=5");
        Assert.True(exitCode == 0, output);
        await TestCluster.EventuallyAsync(async () => (await _support.GetAsync("scale")).Status.AvailableReplicas == 5, "five available replicas");

        var rs = Assert.Single(await _support.ReplicaSetsOfAsync("scale"));
        Assert.Equal((5, "1", "5", "7"), (rs.Spec.Replicas ?? 0, rs.Metadata.Annotations[DeploymentAnnotations.Revision],
            rs.Metadata.Annotations[DeploymentAnnotations.DesiredReplicas], rs.Metadata.Annotations[DeploymentAnnotations.MaxReplicas]));
        await TestCluster.EventuallyAsync(async () => (await _support.EventMessagesAsync("scale", "ScalingReplicaSet"))
            .Contains($"Scaled up replica set {rs.Metadata.Name} from 3 to 5"), "the scaling event");
    }

    [Fact]
    public async Task MinReadySeconds_IsKeptOnTheCurrentReplicaSet()
    {
        var deployment = DeploymentFixture.NewDeployment("minready", 1);
        deployment.Spec.MinReadySeconds = 1;
        await _support.Deployments.CreateAsync(deployment);
        await _support.WaitForRolloutAsync("minready");
        Assert.Equal(1, Assert.Single(await _support.ReplicaSetsOfAsync("minready")).Spec.MinReadySeconds);

        await _support.EditAsync("minready", d => d.Spec.MinReadySeconds = 2);

        await TestCluster.EventuallyAsync(async () => (await _support.ReplicaSetsOfAsync("minready")) is [{ Spec.MinReadySeconds: 2 }], "minReadySeconds 2 on the same replica set");
    }
}
