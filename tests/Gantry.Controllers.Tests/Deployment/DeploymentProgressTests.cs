using Gantry.Controllers.Deployment;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.Deployment;

[Collection(DeploymentCollection.Name)]
public sealed class DeploymentProgressTests(DeploymentFixture fixture)
{
    private readonly DeploymentTestSupport _support = new(fixture.Cluster.Client);

    [Fact]
    public async Task ScalingMidRollout_SpreadsNewReplicasInProportion()
    {
        // The example of the Kubernetes documentation: 10 replicas, maxSurge 3, maxUnavailable 2, a rollout that
        // cannot finish, then a resize.
        var deployment = DeploymentFixture.NewDeployment("proportional", 10);
        deployment.Spec.Strategy = new V1DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 3, MaxUnavailable = 2 },
        };
        await _support.Deployments.CreateAsync(deployment);
        await _support.WaitForRolloutAsync("proportional");
        await _support.SetImageAsync("proportional", "nginx:stuck");
        await TestCluster.EventuallyAsync(async () => Sizes(await _support.ReplicaSetsOfAsync("proportional")) == "8/5", "the stuck rollout (8 old, 5 new)");

        await _support.EditAsync("proportional", d => d.Spec.Replicas = 20);

        await TestCluster.EventuallyAsync(async () => Sizes(await _support.ReplicaSetsOfAsync("proportional")) == "14/9", "14 old and 9 new replicas");
        var sets = await _support.ReplicaSetsOfAsync("proportional");
        Assert.All(sets, rs => Assert.Equal(("20", "23"),
            (rs.Metadata.Annotations[DeploymentAnnotations.DesiredReplicas], rs.Metadata.Annotations[DeploymentAnnotations.MaxReplicas])));
        await Task.Delay(300);
        Assert.Equal("14/9", Sizes(await _support.ReplicaSetsOfAsync("proportional")));
    }

    [Fact]
    public async Task NoProgressWithinTheDeadline_ReportsProgressDeadlineExceeded()
    {
        var deployment = DeploymentFixture.NewDeployment("deadline", 2, "nginx:stuck");
        deployment.Spec.ProgressDeadlineSeconds = 2;
        await _support.Deployments.CreateAsync(deployment);

        await TestCluster.EventuallyAsync(async () =>
            DeploymentTestSupport.Condition(await _support.GetAsync("deadline"), DeploymentConditions.Progressing)?.Reason == DeploymentConditions.ProgressDeadlineExceeded,
            "the deadline to pass", TimeSpan.FromSeconds(15));
        var d = await _support.GetAsync("deadline");
        var rs = Assert.Single(await _support.ReplicaSetsOfAsync("deadline"));
        var progressing = DeploymentTestSupport.Condition(d, DeploymentConditions.Progressing)!;
        Assert.Equal(("False", $"ReplicaSet \"{rs.Metadata.Name}\" has timed out progressing."), (progressing.Status, progressing.Message));
        var available = DeploymentTestSupport.Condition(d, DeploymentConditions.Available)!;
        Assert.Equal(("False", "MinimumReplicasUnavailable"), (available.Status, available.Reason));
        Assert.Equal((2, 2, 0), (d.Status.UnavailableReplicas ?? 0, d.Status.UpdatedReplicas ?? 0, d.Status.AvailableReplicas ?? 0));

        var (exitCode, output) = await Kubectl.RunAsync(fixture.Cluster.Kubeconfig, "rollout", "status", "deployment/deadline", "--timeout=10s");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("exceeded its progress deadline", output);
    }

    private static string Sizes(List<V1ReplicaSet> sets) => string.Join("/", sets.Select(rs => rs.Spec.Replicas ?? 0));
}
