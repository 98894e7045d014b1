using Gantry.Controllers.Deployment;
using Gantry.Controllers.Tests.Harness;

namespace Gantry.Controllers.Tests.Deployment;

[Collection(DeploymentCollection.Name)]
public sealed class DeploymentHistoryTests(DeploymentFixture fixture)
{
    private readonly DeploymentTestSupport _support = new(fixture.Cluster.Client);

    [Fact]
    public async Task RolloutUndo_ReusesTheOldReplicaSetAtRevisionThree()
    {
        await _support.Deployments.CreateAsync(DeploymentFixture.NewDeployment("undo", 2));
        await _support.WaitForRolloutAsync("undo");
        var first = Assert.Single(await _support.ReplicaSetsOfAsync("undo"));
        await _support.SetImageAsync("undo", "nginx:2.0");
        await _support.WaitForRolloutAsync("undo");

        var (exitCode, output) = await Kubectl.RunAsync(fixture.Cluster.Kubeconfig, "rollout", "undo", "deployment/undo");
        Assert.True(exitCode == 0, output);
        await TestCluster.EventuallyAsync(async () => (await _support.GetAsync("undo")).Metadata.Annotations[DeploymentAnnotations.Revision] == "3", "revision 3");
        await _support.WaitForRolloutAsync("undo");

        var sets = await _support.ReplicaSetsOfAsync("undo");
        Assert.Equal(2, sets.Count);
        var reused = sets.Single(rs => rs.Metadata.Name == first.Metadata.Name);
        Assert.Equal(first.Metadata.Uid, reused.Metadata.Uid);
        Assert.Equal(("3", "1", 2), (reused.Metadata.Annotations[DeploymentAnnotations.Revision],
            reused.Metadata.Annotations[DeploymentAnnotations.RevisionHistory], reused.Spec.Replicas ?? 0));
        Assert.Equal(0, sets.Single(rs => rs.Metadata.Name != first.Metadata.Name).Spec.Replicas);
        Assert.Equal("nginx:1.0", (await _support.GetAsync("undo")).Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task RevisionHistoryLimit_DeletesTheOldestScaledDownReplicaSets()
    {
        var deployment = DeploymentFixture.NewDeployment("history", 1);
        deployment.Spec.RevisionHistoryLimit = 1;
        await _support.Deployments.CreateAsync(deployment);
        await _support.WaitForRolloutAsync("history");
        foreach (var image in new[] { "nginx:2.0", "nginx:3.0" })
        {
            await _support.SetImageAsync("history", image);
            await _support.WaitForRolloutAsync("history");
        }

        await TestCluster.EventuallyAsync(async () => (await _support.ReplicaSetsOfAsync("history")).Count == 2, "the oldest replica set to be deleted");
        var sets = await _support.ReplicaSetsOfAsync("history");
        Assert.Equal(["nginx:2.0", "nginx:3.0"], sets.Select(DeploymentTestSupport.Image));
        Assert.Equal([2L, 3L], sets.Select(DeploymentTestSupport.Revision));
    }

    [Fact]
    public async Task Paused_DoesNotRollOutButStillScales_AndResumeRollsOut()
    {
        await _support.Deployments.CreateAsync(DeploymentFixture.NewDeployment("paused", 2));
        await _support.WaitForRolloutAsync("paused");
        var (exitCode, output) = await Kubectl.RunAsync(fixture.Cluster.Kubeconfig, "rollout", "pause", "deployment/paused");
        Assert.True(exitCode == 0, output);
        await TestCluster.EventuallyAsync(async () =>
            DeploymentTestSupport.Condition(await _support.GetAsync("paused"), DeploymentConditions.Progressing) is { Reason: "DeploymentPaused", Status: "Unknown" },
            "the paused condition");

        await _support.EditAsync("paused", d =>
        {
            d.Spec.Template.Spec.Containers[0].Image = "nginx:2.0";
            d.Spec.Replicas = 4;
        });
        await TestCluster.EventuallyAsync(async () => (await _support.ReplicaSetsOfAsync("paused")).Single().Spec.Replicas == 4, "scaling while paused");
        await TestCluster.EventuallyAsync(async () => (await _support.GetAsync("paused")).Status.AvailableReplicas == 4, "the scaled status");
        await Task.Delay(300);
        var paused = await _support.GetAsync("paused");
        Assert.Single(await _support.ReplicaSetsOfAsync("paused"));
        Assert.Equal((4, 0), (paused.Status.Replicas ?? 0, paused.Status.UpdatedReplicas ?? 0));

        (exitCode, output) = await Kubectl.RunAsync(fixture.Cluster.Kubeconfig, "rollout", "resume", "deployment/paused");
        Assert.True(exitCode == 0, output);
        await _support.WaitForRolloutAsync("paused");
        var sets = await _support.ReplicaSetsOfAsync("paused");
        Assert.Equal([0, 4], sets.Select(rs => rs.Spec.Replicas ?? 0));
        Assert.Equal("nginx:2.0", DeploymentTestSupport.Image(sets[1]));
    }
}
