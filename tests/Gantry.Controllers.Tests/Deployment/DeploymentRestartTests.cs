using Gantry.Controllers.Deployment;
using Gantry.Controllers.Tests.Harness;

namespace Gantry.Controllers.Tests.Deployment;

public sealed class DeploymentRestartTests
{
    [Fact]
    public async Task ControllerRestartMidRollout_Converges()
    {
        await using var cluster = await TestCluster.StartAsync();
        var support = new DeploymentTestSupport(cluster.Client);
        var first = Start(cluster);
        await support.Deployments.CreateAsync(DeploymentFixture.NewDeployment("web", 6));
        await support.WaitForRolloutAsync("web");

        await support.SetImageAsync("web", "nginx:2.0");
        await TestCluster.EventuallyAsync(async () => (await support.ReplicaSetsOfAsync("web")) is [{ Spec.Replicas: > 0 }, { Spec.Replicas: > 0 }],
            "the rollout to be under way");
        await first.StopAsync();

        var second = Start(cluster);
        await support.WaitForRolloutAsync("web");
        await second.StopAsync();

        var sets = await support.ReplicaSetsOfAsync("web");
        Assert.Equal([0, 6], sets.Select(rs => rs.Spec.Replicas ?? 0));
        Assert.Equal("2", (await support.GetAsync("web")).Metadata.Annotations[DeploymentAnnotations.Revision]);
    }

    // The harness's own restart reuses a cancelled token, so this test runs its managers itself.
    private static RunningManager Start(TestCluster cluster)
    {
        var manager = new ControllerManager(cluster.Client,
            [c => new DeploymentController(c), c => new FakeReplicaSetController(c, TimeSpan.FromMilliseconds(300))],
            options: new ControllerOptions { Workers = 2 });
        var stop = new CancellationTokenSource();
        return new RunningManager(manager, stop, manager.RunAsync(stop.Token));
    }

    private sealed record RunningManager(ControllerManager Manager, CancellationTokenSource Stop, Task Running)
    {
        public async Task StopAsync()
        {
            await Stop.CancelAsync();
            await Running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Manager.DisposeAsync();
            Stop.Dispose();
        }
    }
}
