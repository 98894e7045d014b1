using Gantry.Client;
using Gantry.Controllers.Deployment;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.Deployment;

[Collection(DeploymentCollection.Name)]
public sealed class DeploymentRolloutTests(DeploymentFixture fixture)
{
    private readonly DeploymentTestSupport _support = new(fixture.Cluster.Client);

    [Fact]
    public async Task Create_MakesOneHashedReplicaSetAtRevisionOne()
    {
        var created = await _support.Deployments.CreateAsync(DeploymentFixture.NewDeployment("create", 3));
        await _support.WaitForRolloutAsync("create");

        var rs = Assert.Single(await _support.ReplicaSetsOfAsync("create"));
        var hash = rs.Metadata.Labels[PodTemplateHash.Label];
        Assert.Equal($"create-{hash}", rs.Metadata.Name);
        Assert.Equal(PodTemplateHash.Compute(created.Spec.Template, null), hash);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels[PodTemplateHash.Label]);
        Assert.Equal(hash, rs.Spec.Template.Metadata.Labels[PodTemplateHash.Label]);
        Assert.Equal(3, rs.Spec.Replicas);
        Assert.Equal("1", rs.Metadata.Annotations[DeploymentAnnotations.Revision]);
        Assert.Equal("3", rs.Metadata.Annotations[DeploymentAnnotations.DesiredReplicas]);
        Assert.Equal("4", rs.Metadata.Annotations[DeploymentAnnotations.MaxReplicas]);
        var owner = Assert.Single(rs.Metadata.OwnerReferences);
        Assert.Equal((created.Metadata.Uid, "Deployment", true), (owner.Uid, owner.Kind, owner.Controller == true));

        var d = await _support.GetAsync("create");
        Assert.Equal("1", d.Metadata.Annotations[DeploymentAnnotations.Revision]);
        Assert.Equal((3, 3, 3, 3), (d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas));
        Assert.Equal(d.Metadata.Generation, d.Status.ObservedGeneration);
        var available = DeploymentTestSupport.Condition(d, DeploymentConditions.Available)!;
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."), (available.Status, available.Reason, available.Message));
        var progressing = DeploymentTestSupport.Condition(d, DeploymentConditions.Progressing)!;
        Assert.Equal($"ReplicaSet \"{rs.Metadata.Name}\" has successfully progressed.", progressing.Message);
        await TestCluster.EventuallyAsync(async () => (await _support.EventMessagesAsync("create", "ScalingReplicaSet"))
            .Contains($"Scaled up replica set {rs.Metadata.Name} from 0 to 3"), "the scaling event");
    }

    [Fact]
    public async Task ImageChange_RollsOverWithinMaxSurgeAndMaxUnavailable()
    {
        var deployment = DeploymentFixture.NewDeployment("rolling", 4);
        deployment.Spec.Strategy = new V1DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 1 },
        };
        await _support.Deployments.CreateAsync(deployment);
        await _support.WaitForRolloutAsync("rolling");

        // Every ReplicaSet change is seen through a watch (polling could miss the steps of a fast rollout).
        var states = new HashSet<string>();
        var violations = new List<string>();
        var initial = await _support.ReplicaSets.ListAsync("default", new ListOptions { LabelSelector = "app=rolling" });
        var current = initial.Items.ToDictionary(rs => rs.Metadata.Name);
        using var stop = new CancellationTokenSource();
        var observer = Task.Run(async () =>
        {
            var options = new ListOptions { LabelSelector = "app=rolling", ResourceVersion = initial.ResourceVersion };
            try
            {
                await foreach (var e in _support.ReplicaSets.WatchAsync("default", options, allowBookmarks: false, stop.Token))
                {
                    if (e.Object is not { } changed) continue;
                    if (e.Type == WatchEventType.Deleted) current.Remove(changed.Metadata.Name);
                    else current[changed.Metadata.Name] = changed;
                    var sets = current.Values.OrderBy(DeploymentTestSupport.Revision).ToList();
                    var total = sets.Sum(rs => rs.Spec.Replicas ?? 0);
                    var available = sets.Sum(rs => Math.Min(rs.Spec.Replicas ?? 0, rs.Status?.AvailableReplicas ?? 0));
                    var state = string.Join("/", sets.Select(rs => rs.Spec.Replicas));
                    states.Add(state);
                    if (total > 5 || available < 3) violations.Add($"{state}: {total} pods, {available} available");
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });
        await _support.SetImageAsync("rolling", "nginx:2.0");
        await _support.WaitForRolloutAsync("rolling");
        await stop.CancelAsync();
        await observer;

        Assert.Empty(violations);
        Assert.True(states.Count >= 4, $"expected several intermediate steps, saw {string.Join(", ", states)}");
        var sets = await _support.ReplicaSetsOfAsync("rolling");
        Assert.Equal(2, sets.Count);
        Assert.Equal((0, "nginx:1.0", 1L), (sets[0].Spec.Replicas, DeploymentTestSupport.Image(sets[0]), DeploymentTestSupport.Revision(sets[0])));
        Assert.Equal((4, "nginx:2.0", 2L), (sets[1].Spec.Replicas, DeploymentTestSupport.Image(sets[1]), DeploymentTestSupport.Revision(sets[1])));
        Assert.Equal("2", (await _support.GetAsync("rolling")).Metadata.Annotations[DeploymentAnnotations.Revision]);
        var events = await _support.EventMessagesAsync("rolling", "ScalingReplicaSet");
        Assert.Contains($"Scaled up replica set {sets[1].Metadata.Name} from 0 to 1", events);
        Assert.Contains($"Scaled down replica set {sets[0].Metadata.Name} from 4 to 3", events);
    }

    [Fact]
    public async Task Recreate_ScalesOldToZeroBeforeNewComesUp()
    {
        var deployment = DeploymentFixture.NewDeployment("recreate", 3);
        deployment.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        await _support.Deployments.CreateAsync(deployment);
        await _support.WaitForRolloutAsync("recreate");

        var violations = new List<string>();
        using var stop = new CancellationTokenSource();
        var observer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var sets = await _support.ReplicaSetsOfAsync("recreate");
                var newer = sets.Where(rs => DeploymentTestSupport.Image(rs) == "nginx:2.0").Sum(rs => rs.Spec.Replicas ?? 0);
                var older = sets.Where(rs => DeploymentTestSupport.Image(rs) != "nginx:2.0").Sum(rs => Math.Max(rs.Spec.Replicas ?? 0, rs.Status?.Replicas ?? 0));
                if (newer > 0 && older > 0) violations.Add($"new {newer} while old {older}");
                await Task.Delay(10);
            }
        });
        await _support.SetImageAsync("recreate", "nginx:2.0");
        await _support.WaitForRolloutAsync("recreate");
        await stop.CancelAsync();
        await observer;

        Assert.Empty(violations);
        var sets = await _support.ReplicaSetsOfAsync("recreate");
        Assert.Equal([0, 3], sets.Select(rs => rs.Spec.Replicas ?? 0));
        Assert.Equal("nginx:2.0", DeploymentTestSupport.Image(sets[1]));
    }

    [Fact]
    public async Task RolloutStatus_ReportsSuccessThroughKubectl()
    {
        await _support.Deployments.CreateAsync(DeploymentFixture.NewDeployment("status", 2));
        var (exitCode, output) = await Kubectl.RunAsync(fixture.Cluster.Kubeconfig, "rollout", "status", "deployment/status", "--timeout=20s");

        Assert.True(exitCode == 0, output);
        Assert.Contains("deployment \"status\" successfully rolled out", output);
    }

    [Fact]
    public async Task RolloutRestart_MakesANewReplicaSet()
    {
        await _support.Deployments.CreateAsync(DeploymentFixture.NewDeployment("restart", 2));
        await _support.WaitForRolloutAsync("restart");

        var (exitCode, output) = await Kubectl.RunAsync(fixture.Cluster.Kubeconfig, "rollout", "restart", "deployment/restart");
        Assert.True(exitCode == 0, output);
        await TestCluster.EventuallyAsync(async () => (await _support.ReplicaSetsOfAsync("restart")).Count == 2, "a second replica set");
        await _support.WaitForRolloutAsync("restart");

        var sets = await _support.ReplicaSetsOfAsync("restart");
        Assert.Equal([0, 2], sets.Select(rs => rs.Spec.Replicas ?? 0));
        Assert.Contains("kubectl.kubernetes.io/restartedAt", sets[1].Spec.Template.Metadata.Annotations.Keys);
    }
}
