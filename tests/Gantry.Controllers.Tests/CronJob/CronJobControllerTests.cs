using Gantry.Client;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using static Gantry.Controllers.Tests.CronJob.CronJobTestKit;

namespace Gantry.Controllers.Tests.CronJob;

public sealed class CronJobControllerTests
{
    [Fact]
    public async Task CronJob_OnEachScheduledMinute_CreatesAJobNamedAfterThatMinute()
    {
        using var clock = new ManualTime();
        await using var cluster = await StartAsync(clock);
        var cronJob = await cluster.Client.For<V1CronJob>().CreateAsync(NewCronJob("tick", "* * * * *"));

        var first = await PassNextMinuteAsync(cluster, clock, "tick");
        var job = Assert.Single(await WaitForJobsAsync(cluster, "tick", j => j.Count == 1, "first job"));
        Assert.Equal(JobName("tick", first), job.Metadata.Name);
        Assert.Equal(first.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), job.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]);
        Assert.Equal("tick", job.Metadata.Labels["app"]);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("CronJob", cronJob.Metadata.Uid, true), (owner.Kind, owner.Uid, owner.Controller));
        var status = (await WaitForActiveRunAsync(cluster, "tick", first)).Status;
        Assert.Equal(job.Metadata.Uid, status.Active[0].Uid);
        Assert.Equal(first.UtcDateTime, status.LastScheduleTime);

        var second = await PassNextMinuteAsync(cluster, clock, "tick");
        var jobs = await WaitForJobsAsync(cluster, "tick", j => j.Count == 2, "second job");
        Assert.Contains(jobs, j => j.Metadata.Name == JobName("tick", second));
        await WaitForCronJobAsync(cluster, "tick", c => c.Status?.Active?.Count == 2 && c.Status.LastScheduleTime == second.UtcDateTime, "active 2");
        await WaitForEventAsync(cluster, "tick", "SuccessfulCreate");
    }

    [Fact]
    public async Task CronJob_WithForbid_HoldsTheNextRunUntilTheActiveOneFinishes()
    {
        using var clock = new ManualTime();
        await using var cluster = await StartAsync(clock);
        await cluster.Client.For<V1CronJob>().CreateAsync(NewCronJob("solo", "* * * * *", s => s.ConcurrencyPolicy = "Forbid"));
        var first = await PassNextMinuteAsync(cluster, clock, "solo");
        await WaitForJobsAsync(cluster, "solo", j => j.Count == 1, "first job");
        await WaitForActiveRunAsync(cluster, "solo", first);

        var second = await PassNextMinuteAsync(cluster, clock, "solo");
        await WaitForEventAsync(cluster, "solo", "JobAlreadyActive");
        Assert.Single(await JobsAsync(cluster, "solo"));
        Assert.Equal(first.UtcDateTime, (await cluster.Client.For<V1CronJob>().GetAsync(TestNamespace, "solo"))!.Status.LastScheduleTime);

        // Without a starting deadline the held run is still due, so it starts as soon as the first one is done.
        await FinishJobAsync(cluster, JobName("solo", first), succeeded: true, first);
        var jobs = await WaitForJobsAsync(cluster, "solo", j => j.Count == 2, "held job started");
        var held = Assert.Single(jobs, j => j.Metadata.Name == JobName("solo", second));
        var status = (await WaitForCronJobAsync(cluster, "solo", c => c.Status?.Active?.Count == 1 && c.Status.LastSuccessfulTime is not null, "first seen complete")).Status;
        Assert.Equal(held.Metadata.Uid, status.Active[0].Uid);
        Assert.Equal(second.UtcDateTime, status.LastScheduleTime);
        await WaitForEventAsync(cluster, "solo", "SawCompletedJob");
    }

    [Fact]
    public async Task CronJob_WithForbidAndAPassedStartingDeadline_SkipsTheHeldRun()
    {
        using var clock = new ManualTime();
        await using var cluster = await StartAsync(clock);
        await cluster.Client.For<V1CronJob>().CreateAsync(NewCronJob("strict", "* * * * *", s =>
        {
            s.ConcurrencyPolicy = "Forbid";
            s.StartingDeadlineSeconds = 10;
        }));
        var first = await PassNextMinuteAsync(cluster, clock, "strict");
        await WaitForJobsAsync(cluster, "strict", j => j.Count == 1, "first job");
        await WaitForActiveRunAsync(cluster, "strict", first);
        var second = await PassNextMinuteAsync(cluster, clock, "strict");
        await WaitForEventAsync(cluster, "strict", "JobAlreadyActive");

        await JumpToAsync(cluster, clock, "strict", second.AddSeconds(30));
        await FinishJobAsync(cluster, JobName("strict", first), succeeded: true, first);
        await WaitForCronJobAsync(cluster, "strict", c => c.Status?.Active is null or { Count: 0 } && c.Status?.LastSuccessfulTime is not null, "first seen complete");
        await Task.Delay(300);
        Assert.Single(await JobsAsync(cluster, "strict"));
        var third = await PassNextMinuteAsync(cluster, clock, "strict");
        await WaitForJobsAsync(cluster, "strict", j => j.Any(x => x.Metadata.Name == JobName("strict", third)), "next on-time run");
    }

    [Fact]
    public async Task CronJob_WithReplace_DeletesTheRunningJobAndStartsTheNext()
    {
        using var clock = new ManualTime();
        await using var cluster = await StartAsync(clock);
        await cluster.Client.For<V1CronJob>().CreateAsync(NewCronJob("swap", "* * * * *", s => s.ConcurrencyPolicy = "Replace"));
        var first = await PassNextMinuteAsync(cluster, clock, "swap");
        await WaitForJobsAsync(cluster, "swap", j => j.Count == 1, "first job");
        await WaitForActiveRunAsync(cluster, "swap", first);

        var second = await PassNextMinuteAsync(cluster, clock, "swap");
        var jobs = await WaitForJobsAsync(cluster, "swap", j => j.Count == 1 && j[0].Metadata.Name == JobName("swap", second), "replacement");
        var status = (await WaitForCronJobAsync(cluster, "swap", c => c.Status?.Active?.Count == 1 && c.Status.Active[0].Uid == jobs[0].Metadata.Uid, "active replaced")).Status;
        Assert.Equal(second.UtcDateTime, status.LastScheduleTime);
        Assert.Null(await cluster.Client.For<V1Job>().GetAsync(TestNamespace, JobName("swap", first)));
        await WaitForEventAsync(cluster, "swap", "SuccessfulDelete");
    }

    [Fact]
    public async Task CronJob_HistoryLimits_PruneTheOldestFinishedJobs()
    {
        using var clock = new ManualTime();
        await using var cluster = await StartAsync(clock);
        await cluster.Client.For<V1CronJob>().CreateAsync(NewCronJob("keep", "* * * * *", s =>
        {
            s.SuccessfulJobsHistoryLimit = 1;
            s.FailedJobsHistoryLimit = 1;
        }));
        var runs = new List<DateTimeOffset>();
        for (var i = 0; i < 4; i++)
        {
            runs.Add(await PassNextMinuteAsync(cluster, clock, "keep"));
            await WaitForActiveRunAsync(cluster, "keep", runs[^1]);
        }
        await FinishJobAsync(cluster, JobName("keep", runs[0]), succeeded: true, runs[0]);
        await FinishJobAsync(cluster, JobName("keep", runs[1]), succeeded: true, runs[1]);
        await FinishJobAsync(cluster, JobName("keep", runs[2]), succeeded: false, runs[2]);
        await FinishJobAsync(cluster, JobName("keep", runs[3]), succeeded: false, runs[3]);

        var left = await WaitForJobsAsync(cluster, "keep", j => j.Count == 2, "two jobs kept");
        Assert.Equal([JobName("keep", runs[1]), JobName("keep", runs[3])], left.Select(j => j.Metadata.Name).Order());
        await WaitForCronJobAsync(cluster, "keep", c => c.Status?.Active is null or { Count: 0 }, "no active jobs");
    }

    [Fact]
    public async Task CronJob_Suspended_StartsNothingUntilResumed()
    {
        using var clock = new ManualTime();
        await using var cluster = await StartAsync(clock);
        var cronJobs = cluster.Client.For<V1CronJob>();
        await cronJobs.CreateAsync(NewCronJob("nap", "* * * * *", s => s.Suspend = true));
        await PassNextMinuteAsync(cluster, clock, "nap");
        var last = await PassNextMinuteAsync(cluster, clock, "nap");
        await Task.Delay(500);
        Assert.Empty(await JobsAsync(cluster, "nap"));

        await cronJobs.PatchAsync(TestNamespace, "nap", PatchType.Merge, new { spec = new { suspend = false } });
        // Resumed without a starting deadline, it runs the most recent missed time once.
        var job = Assert.Single(await WaitForJobsAsync(cluster, "nap", j => j.Count == 1, "catch-up job"));
        Assert.Equal(JobName("nap", last), job.Metadata.Name);
    }

    [Fact]
    public async Task CronJob_AfterManyMissedTimes_WarnsAndRunsOnlyTheLatest()
    {
        using var clock = new ManualTime();
        await using var cluster = await StartAsync(clock);
        var created = await cluster.Client.For<V1CronJob>().CreateAsync(NewCronJob("late", "* * * * *", s => s.Suspend = true));
        await JumpToAsync(cluster, clock, "late", Later(clock.GetUtcNow(), created).AddHours(3));
        var latest = await PassNextMinuteAsync(cluster, clock, "late");
        await cluster.Client.For<V1CronJob>().PatchAsync(TestNamespace, "late", PatchType.Merge, new { spec = new { suspend = false } });

        await WaitForEventAsync(cluster, "late", "TooManyMissedTimes");
        var job = Assert.Single(await WaitForJobsAsync(cluster, "late", j => j.Count == 1, "one job"));
        Assert.Equal(JobName("late", latest), job.Metadata.Name);
    }

    [Fact]
    public async Task CronJob_WithTimeZone_SchedulesInThatZone()
    {
        using var clock = new ManualTime();
        await using var cluster = await StartAsync(clock);
        // Kolkata is UTC+05:30: its full hours are half past the hour in UTC.
        var created = await cluster.Client.For<V1CronJob>().CreateAsync(NewCronJob("zoned", "0 * * * *", s => s.TimeZone = "Asia/Kolkata"));
        var now = Later(clock.GetUtcNow(), created);
        var halfPast = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 30, 0, TimeSpan.Zero);
        if (halfPast <= now) halfPast = halfPast.AddHours(1);
        await JumpToAsync(cluster, clock, "zoned", halfPast.AddSeconds(1));

        var job = Assert.Single(await WaitForJobsAsync(cluster, "zoned", j => j.Count == 1, "zoned job"));
        Assert.Equal(JobName("zoned", halfPast), job.Metadata.Name);
        var local = halfPast.ToOffset(TimeSpan.FromHours(5.5));
        Assert.Equal(local.ToString("yyyy-MM-dd'T'HH:mm:ss'+05:30'"), job.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]);
    }
}
