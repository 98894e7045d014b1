using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.ReplicaSet.ReplicaSetTestKit;
using PatchType = Gantry.Client.PatchType;

namespace Gantry.Controllers.Tests.ReplicaSet;

public sealed class ReplicaSetResilienceTests
{
    [Fact]
    public async Task RapidSyncsWhileThePodInformerLags_NeverCreateOrDeleteTooMany()
    {
        await using var cluster = await TestCluster.StartAsync();
        var faulty = new FaultyApiClient(cluster.Client) { PodWatchLag = TimeSpan.FromMilliseconds(700) };
        cluster.StartControllers(Options, c => new OwnInformersController(c, faulty, ReplicaSets));

        await cluster.CreateReplicaSetAsync("web", 3);
        await PokeAsync(cluster, "web", times: 5);
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 3, "3 replicas seen by the controller");
        await Task.Delay(1000);
        Assert.Equal(3, (await cluster.ActivePodsAsync("web")).Count);
        Assert.Equal(3, faulty.PodCreateAttempts);

        await cluster.ScaleAsync("web", 1);
        await PokeAsync(cluster, "web", times: 5);
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 1, "1 replica seen by the controller");
        await Task.Delay(1000);
        Assert.Single(await cluster.ActivePodsAsync("web"));
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAboutAsync("web", "SuccessfulDelete")).Count == 2, "2 deletes");
        Assert.Equal(3, faulty.PodCreateAttempts);
    }

    [Fact]
    public async Task ControllerRestartMidway_ConvergesWithoutDuplicates()
    {
        await using var cluster = await TestCluster.StartAsync();
        // The first controller gets 3 pods out before creates start failing, then goes away mid-way.
        var first = new FaultyApiClient(cluster.Client) { PodQuota = 3 };
        await using (var manager = new ControllerManager(cluster.Client, [c => new OwnInformersController(c, first, ReplicaSets)], options: Options))
        {
            using var stop = new CancellationTokenSource();
            var running = manager.RunAsync(stop.Token);
            await cluster.CreateReplicaSetAsync("web", 8);
            await cluster.WaitForPodsAsync("web", 3);
            await stop.CancelAsync();
            await Task.WhenAny(running); // ends when cancelled; its outcome does not matter here
        }

        cluster.StartControllers(Options, ReplicaSets);
        await cluster.WaitForPodsAsync("web", 8);
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 8, "8 replicas");
        await Task.Delay(500);
        Assert.Equal(8, (await cluster.AllPodsAsync()).Count);
    }

    [Fact]
    public async Task RefusedCreates_SetReplicaFailure_RecordFailedCreate_AndClearOnceCreatesSucceed()
    {
        await using var cluster = await TestCluster.StartAsync();
        var faulty = new FaultyApiClient(cluster.Client) { PodQuota = 2 };
        cluster.StartControllers(Options, c => new OwnInformersController(c, faulty, ReplicaSets));

        await cluster.CreateReplicaSetAsync("web", 6);
        await cluster.WaitForStatusAsync("web", s => s.Conditions?.Any(c => c.Type == "ReplicaFailure") == true, "a ReplicaFailure condition");
        var failure = (await cluster.GetReplicaSetAsync("web")).Status.Conditions.Single(c => c.Type == "ReplicaFailure");
        Assert.Equal(("True", "FailedCreate"), (failure.Status, failure.Reason));
        Assert.Contains("exceeded quota", failure.Message);
        Assert.Equal(2, (await cluster.ActivePodsAsync("web")).Count);
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAboutAsync("web", "FailedCreate")).Count > 0, "a FailedCreate event");
        var warning = (await cluster.EventsAboutAsync("web", "FailedCreate"))[0];
        Assert.Equal("Warning", warning.Type);
        Assert.StartsWith("Error creating: pods \"web-", warning.Message);

        faulty.PodQuota = null;
        await cluster.WaitForPodsAsync("web", 6);
        await cluster.WaitForStatusAsync("web", s => s.Replicas == 6 && (s.Conditions is null || s.Conditions.Count == 0), "6 replicas, no failure");
    }

    /// <summary>Touches the owner's annotations: every write is an update event, so a sync, while the pod cache is stale.</summary>
    private static async Task PokeAsync(TestCluster cluster, string name, int times)
    {
        for (var i = 0; i < times; i++)
        {
            var value = $"{i}";
            await RetryOnConflictAsync(() =>
                cluster.Client.For<V1ReplicaSet>().PatchAsync(Ns, name, PatchType.Merge, new { metadata = new { annotations = new { poke = value } } }));
            await Task.Delay(60);
        }
    }
}
