using Gantry.Controllers.Job;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.Job.JobTestKit;

namespace Gantry.Controllers.Tests.Job;

public sealed class JobControllerLifecycleTests
{
    [Fact]
    public async Task Job_WhosePodsFinishedWhileTheControllerWasDown_IsCountedAfterARestart()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var firstRun = new CancellationTokenSource();
        var manager = new ControllerManager(cluster.Client, [c => new JobController(c, Fast)]);
        var running = manager.RunAsync(firstRun.Token);
        await cluster.Client.For<V1Job>().CreateAsync(NewJob("resumable", completions: 2, parallelism: 2));
        var pods = await WaitForActivePodsAsync(cluster, "resumable", 2);
        await firstRun.CancelAsync();
        await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        await manager.DisposeAsync();

        // The tracking finalizer keeps the finished pods (and so their outcome) until a controller counts them.
        await cluster.MarkPodFinishedAsync(pods[0], succeeded: true);
        await cluster.MarkPodFinishedAsync(pods[1], succeeded: false);
        cluster.StartControllers(new ControllerOptions(), c => new JobController(c, Fast));

        var job = await WaitForJobAsync(cluster, "resumable", j => j.Status.Succeeded == 1 && j.Status.Failed == 1, "both counted");
        Assert.Empty(job.Status.UncountedTerminatedPods?.Failed ?? []);
        var replacement = Assert.Single(await WaitForActivePodsAsync(cluster, "resumable", 1));
        await cluster.MarkPodFinishedAsync(replacement, succeeded: true);
        job = await WaitForJobAsync(cluster, "resumable", j => HasCondition(j, "Complete"), "Complete");
        Assert.Equal((2, 1), (job.Status.Succeeded, job.Status.Failed));
        Assert.Equal(3, (await PodsAsync(cluster, "resumable")).Count);
    }

    [Fact]
    public async Task Job_WithoutCompletions_CompletesWhenOnePodSucceededAndTheOthersAreDone()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1Job>().CreateAsync(NewJob("queue", completions: null, parallelism: 2));
        var pods = await WaitForActivePodsAsync(cluster, "queue", 2);

        var ready = await cluster.MarkPodReadyAsync(pods[0]);
        await WaitForJobAsync(cluster, "queue", j => j.Status.Ready == 1, "ready 1");
        await cluster.MarkPodFinishedAsync(ready, succeeded: true);
        // After the first success no pod is started any more; the running one may finish.
        var job = await WaitForJobAsync(cluster, "queue", j => j.Status.Succeeded == 1, "succeeded 1");
        Assert.False(HasCondition(job, "Complete"));
        Assert.Single(await ActivePodsAsync(cluster, "queue"));

        await cluster.MarkPodFinishedAsync(pods[1], succeeded: true);
        job = await WaitForJobAsync(cluster, "queue", j => HasCondition(j, "Complete"), "Complete");
        Assert.Equal(2, job.Status.Succeeded);
        Assert.Equal(2, (await PodsAsync(cluster, "queue")).Count);
    }

    [Fact]
    public async Task DeletedJob_LeavesNoPodHeldByTheTrackingFinalizer()
    {
        await using var cluster = await StartAsync();
        var jobs = cluster.Client.For<V1Job>();
        await jobs.CreateAsync(NewJob("dropped", completions: 2, parallelism: 2));
        await WaitForActivePodsAsync(cluster, "dropped", 2);

        await jobs.DeleteAsync(TestNamespace, "dropped", Gantry.Client.DeleteOptions.Background);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster, "dropped")).All(p => p.Metadata.Finalizers?.Contains("batch.kubernetes.io/job-tracking") != true),
            "finalizers released");
    }

    [Fact]
    public async Task Job_ManagedByAnotherController_IsLeftAlone()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1Job>().CreateAsync(NewJob("elsewhere", configure: s => s.ManagedBy = "example.com/dispatcher"));
        await cluster.Client.For<V1Job>().CreateAsync(NewJob("here"));

        await WaitForActivePodsAsync(cluster, "here", 1);
        Assert.Empty(await PodsAsync(cluster, "elsewhere"));
        Assert.Null((await GetJobAsync(cluster, "elsewhere")).Status?.StartTime);
    }
}
