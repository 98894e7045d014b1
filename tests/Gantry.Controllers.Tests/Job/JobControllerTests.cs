using Gantry.Client;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.Job.JobTestKit;

namespace Gantry.Controllers.Tests.Job;

public sealed class JobControllerTests
{
    [Fact]
    public async Task Job_WithThreeCompletionsAndParallelismTwo_CompletesAsPodsSucceed()
    {
        await using var cluster = await StartAsync();
        var created = await cluster.Client.For<V1Job>().CreateAsync(NewJob("work", completions: 3, parallelism: 2));

        var pods = await WaitForActivePodsAsync(cluster, "work", 2);
        foreach (var pod in pods)
        {
            Assert.Contains("batch.kubernetes.io/job-tracking", pod.Metadata.Finalizers);
            Assert.Equal(created.Metadata.Uid, pod.Metadata.Labels["batch.kubernetes.io/controller-uid"]);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.True(owner.Controller);
            Assert.Equal(("Job", "work"), (owner.Kind, owner.Name));
            Assert.StartsWith("work-", pod.Metadata.Name);
        }
        await WaitForJobAsync(cluster, "work", j => j.Status.Active == 2 && j.Status.StartTime is not null, "active 2");

        await cluster.MarkPodFinishedAsync(pods[0], succeeded: true);
        await WaitForJobAsync(cluster, "work", j => j.Status.Succeeded == 1, "succeeded 1");
        // Two completions missing and parallelism 2: a third pod joins the running one, and no more are made.
        var rest = await WaitForActivePodsAsync(cluster, "work", 2);
        Assert.Contains(rest, p => p.Metadata.Uid == pods[1].Metadata.Uid);
        Assert.Equal(3, (await PodsAsync(cluster, "work")).Count);
        foreach (var pod in rest) await cluster.MarkPodFinishedAsync(pod, succeeded: true);

        var job = await WaitForJobAsync(cluster, "work", j => HasCondition(j, "Complete"), "Complete");
        Assert.Equal(3, job.Status.Succeeded);
        Assert.True(job.Status.Failed is null or 0);
        Assert.True(job.Status.Active is null or 0);
        Assert.NotNull(job.Status.CompletionTime);
        Assert.True(HasCondition(job, "SuccessCriteriaMet", "CompletionsReached"));
        Assert.True(HasCondition(job, "Complete", "CompletionsReached"));
        Assert.Empty(job.Status.UncountedTerminatedPods?.Succeeded ?? []);
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster, "work")).All(p => p.Metadata.Finalizers?.Contains("batch.kubernetes.io/job-tracking") != true),
            "finalizers removed");
        await WaitForEventAsync(cluster, "work", "Completed");
        Assert.Equal(3, (await EventsAsync(cluster, "work")).Where(e => e.Reason == "SuccessfulCreate").Sum(e => e.Count ?? 1));
    }

    [Fact]
    public async Task Job_FailingMoreThanBackoffLimit_FailsWithBackoffLimitExceeded()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1Job>().CreateAsync(NewJob("flaky", configure: s => s.BackoffLimit = 2));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var pod = Assert.Single(await WaitForActivePodsAsync(cluster, "flaky", 1));
            await cluster.MarkPodFinishedAsync(pod, succeeded: false);
            var expected = attempt;
            await WaitForJobAsync(cluster, "flaky", j => j.Status.Failed == expected, $"failed {expected}");
        }

        var job = await WaitForJobAsync(cluster, "flaky", j => HasCondition(j, "Failed"), "Failed");
        var failed = job.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("BackoffLimitExceeded", "Job has reached the specified backoff limit"), (failed.Reason, failed.Message));
        Assert.True(HasCondition(job, "FailureTarget", "BackoffLimitExceeded"));
        Assert.Equal(3, job.Status.Failed);
        Assert.Null(job.Status.CompletionTime);
        Assert.Equal(3, (await PodsAsync(cluster, "flaky")).Count);
        await WaitForEventAsync(cluster, "flaky", "BackoffLimitExceeded");
    }

    [Fact]
    public async Task Job_PastActiveDeadline_FailsAndDeletesItsActivePods()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1Job>().CreateAsync(NewJob("slow", completions: 4, parallelism: 2, s => s.ActiveDeadlineSeconds = 2));
        await WaitForActivePodsAsync(cluster, "slow", 2);

        var job = await WaitForJobAsync(cluster, "slow", j => HasCondition(j, "Failed"), "Failed");
        var failed = job.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (failed.Reason, failed.Message));
        Assert.Equal(2, job.Status.Failed);
        Assert.True(job.Status.Active is null or 0);
        Assert.Equal(0, job.Status.Terminating);
        Assert.Empty(await PodsAsync(cluster, "slow"));
        await WaitForEventAsync(cluster, "slow", "DeadlineExceeded");
        await WaitForEventAsync(cluster, "slow", "SuccessfulDelete");
    }

    [Fact]
    public async Task Job_Suspended_DeletesActivePodsWithoutCountingFailures_AndResumes()
    {
        await using var cluster = await StartAsync();
        var jobs = cluster.Client.For<V1Job>();
        await jobs.CreateAsync(NewJob("paused", completions: 2, parallelism: 2, s => s.Suspend = true));
        var job = await WaitForJobAsync(cluster, "paused", j => HasCondition(j, "Suspended", "JobSuspended"), "Suspended");
        Assert.Null(job.Status.StartTime);
        Assert.Empty(await PodsAsync(cluster, "paused"));

        await jobs.PatchAsync(TestNamespace, "paused", PatchType.Merge, new { spec = new { suspend = false } });
        await WaitForActivePodsAsync(cluster, "paused", 2);
        job = await WaitForJobAsync(cluster, "paused", j => j.Status.Conditions.Any(c => c.Type == "Suspended" && c.Status == "False"), "resumed");
        Assert.Equal("JobResumed", job.Status.Conditions.Single(c => c.Type == "Suspended").Reason);
        Assert.NotNull(job.Status.StartTime);

        await jobs.PatchAsync(TestNamespace, "paused", PatchType.Merge, new { spec = new { suspend = true } });
        await TestCluster.EventuallyAsync(async () => (await PodsAsync(cluster, "paused")).Count == 0, "pods deleted");
        job = await WaitForJobAsync(cluster, "paused", j => HasCondition(j, "Suspended") && j.Status.Active is null or 0, "suspended again");
        Assert.True(job.Status.Failed is null or 0);
        await WaitForEventAsync(cluster, "paused", "Resumed");
        await WaitForEventAsync(cluster, "paused", "SuccessfulDelete");
    }

    [Fact]
    public async Task Job_WithTtlAfterFinished_IsDeletedOnceTheTtlPasses()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1Job>().CreateAsync(NewJob("brief", configure: s => s.TtlSecondsAfterFinished = 1));
        var pod = Assert.Single(await WaitForActivePodsAsync(cluster, "brief", 1));
        await cluster.MarkPodFinishedAsync(pod, succeeded: true);
        var finished = await WaitForJobAsync(cluster, "brief", j => HasCondition(j, "Complete"), "Complete");

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1Job>().GetAsync(TestNamespace, "brief") is null, "job deleted");
        Assert.True(DateTime.UtcNow - finished.Status.CompletionTime!.Value >= TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task IndexedJob_GivesEachPodItsIndex_AndRecordsCompletedIndexes()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1Job>().CreateAsync(NewJob("shards", completions: 3, parallelism: 3, s => s.CompletionMode = "Indexed"));
        var pods = await WaitForActivePodsAsync(cluster, "shards", 3);

        var byIndex = pods.ToDictionary(p => p.Metadata.Annotations["batch.kubernetes.io/job-completion-index"]);
        Assert.Equal(["0", "1", "2"], byIndex.Keys.Order());
        foreach (var (index, pod) in byIndex)
        {
            Assert.StartsWith($"shards-{index}-", pod.Metadata.Name);
            Assert.Equal($"shards-{index}", pod.Spec.Hostname);
            Assert.Equal(index, pod.Metadata.Labels["batch.kubernetes.io/job-completion-index"]);
            Assert.Contains(pod.Spec.Containers[0].Env, e => e.Name == "JOB_COMPLETION_INDEX");
        }

        await cluster.MarkPodFinishedAsync(byIndex["1"], succeeded: true);
        await WaitForJobAsync(cluster, "shards", j => j.Status.CompletedIndexes == "1", "index 1 completed");
        // A failed index gets a new pod with the same index.
        await cluster.MarkPodFinishedAsync(byIndex["2"], succeeded: false);
        var retried = await WaitForIndexPodAsync(cluster, "shards", "2", byIndex["2"].Metadata.Uid);
        await cluster.MarkPodFinishedAsync(byIndex["0"], succeeded: true);
        await cluster.MarkPodFinishedAsync(retried, succeeded: true);

        var job = await WaitForJobAsync(cluster, "shards", j => HasCondition(j, "Complete"), "Complete");
        Assert.Equal("0-2", job.Status.CompletedIndexes);
        Assert.Equal(3, job.Status.Succeeded);
        Assert.Equal(1, job.Status.Failed);
    }
}
