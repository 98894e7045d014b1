using Gantry.Client;
using Gantry.Controllers.CronJob;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.CronJob;

/// <summary>CronJobs, a jumpable clock and waits shared by the CronJob controller tests.</summary>
internal static class CronJobTestKit
{
    public const string TestNamespace = "default";

    /// <summary>A cluster whose CronJob controller reads <paramref name="clock"/>.</summary>
    public static Task<TestCluster> StartAsync(ManualTime clock) =>
        TestCluster.StartAsync(c => new CronJobController(new ControllerContext
        {
            Client = c.Client, Informers = c.Informers, Loggers = c.Loggers, Options = c.Options, Time = clock,
        }));

    public static V1CronJob NewCronJob(string name, string schedule, Action<V1CronJobSpec>? configure = null)
    {
        var cronJob = new V1CronJob
        {
            ApiVersion = "batch/v1",
            Kind = "CronJob",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = TestNamespace },
            Spec = new V1CronJobSpec
            {
                Schedule = schedule,
                JobTemplate = new V1JobTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                    Spec = new V1JobSpec
                    {
                        Template = new V1PodTemplateSpec
                        {
                            Spec = new V1PodSpec { RestartPolicy = "OnFailure", Containers = [new V1Container { Name = "main", Image = "busybox" }] },
                        },
                    },
                },
            },
        };
        configure?.Invoke(cronJob.Spec);
        return cronJob;
    }

    /// <summary>
    /// Moves the clock one second past the next whole minute (after the CronJob's creation, which the server stamps by
    /// its own clock) and returns that minute.
    /// </summary>
    public static async Task<DateTimeOffset> PassNextMinuteAsync(TestCluster cluster, ManualTime clock, string cronJob)
    {
        var created = await cluster.Client.For<V1CronJob>().GetAsync(TestNamespace, cronJob);
        var now = Later(clock.GetUtcNow(), created);
        var minute = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        await JumpToAsync(cluster, clock, cronJob, minute.AddSeconds(1));
        return minute;
    }

    /// <summary>
    /// Moves the clock, then touches the CronJob: a sync that read the clock just before the jump set its wake-up
    /// timer against the old time, and the touch makes the controller look again at the new one.
    /// </summary>
    public static async Task JumpToAsync(TestCluster cluster, ManualTime clock, string cronJob, DateTimeOffset time)
    {
        clock.JumpTo(time);
        await cluster.Client.For<V1CronJob>().PatchAsync(TestNamespace, cronJob, PatchType.Merge,
            new { metadata = new { annotations = new Dictionary<string, string> { ["test.gantry.dev/clock"] = time.ToString("O") } } });
    }

    /// <summary>The later of a time and a CronJob's creation (schedules count from the creation).</summary>
    public static DateTimeOffset Later(DateTimeOffset time, V1CronJob? created) =>
        created?.Metadata.CreationTimestamp is { } stamp && new DateTimeOffset(DateTime.SpecifyKind(stamp, DateTimeKind.Utc)) > time
            ? new DateTimeOffset(DateTime.SpecifyKind(stamp, DateTimeKind.Utc))
            : time;

    public static string JobName(string cronJob, DateTimeOffset scheduled) => $"{cronJob}-{scheduled.ToUnixTimeSeconds() / 60}";

    public static async Task<List<V1Job>> JobsAsync(TestCluster cluster, string cronJob) =>
        (await cluster.Client.For<V1Job>().ListAsync(TestNamespace)).Items
            .Where(j => j.Metadata.OwnerReferences?.Any(o => o.Kind == "CronJob" && o.Name == cronJob) == true).ToList();

    public static async Task<List<V1Job>> WaitForJobsAsync(TestCluster cluster, string cronJob, Func<List<V1Job>, bool> condition, string what)
    {
        List<V1Job> jobs = [];
        await TestCluster.EventuallyAsync(async () => condition(jobs = await JobsAsync(cluster, cronJob)), what);
        return jobs;
    }

    public static async Task<V1CronJob> WaitForCronJobAsync(TestCluster cluster, string name, Func<V1CronJob, bool> condition, string what)
    {
        V1CronJob? cronJob = null;
        await TestCluster.EventuallyAsync(async () => condition(cronJob = (await cluster.Client.For<V1CronJob>().GetAsync(TestNamespace, name))!), what);
        return cronJob!;
    }

    /// <summary>Waits until the CronJob's status lists the run of <paramref name="scheduled"/> as active.</summary>
    public static Task<V1CronJob> WaitForActiveRunAsync(TestCluster cluster, string cronJob, DateTimeOffset scheduled) =>
        WaitForCronJobAsync(cluster, cronJob, c => c.Status?.Active?.Any(r => r.Name == JobName(cronJob, scheduled)) == true, $"run {JobName(cronJob, scheduled)} active");

    /// <summary>Finishes a job through its status, as the job controller would.</summary>
    public static async Task FinishJobAsync(TestCluster cluster, string name, bool succeeded, DateTimeOffset startedAt)
    {
        var job = (await cluster.Client.For<V1Job>().GetAsync(TestNamespace, name))!;
        var now = DateTime.UtcNow;
        job.Status ??= new V1JobStatus();
        job.Status.StartTime = startedAt.UtcDateTime;
        job.Status.Conditions = succeeded
            ?
            [
                new V1JobCondition { Type = "SuccessCriteriaMet", Status = "True", Reason = "CompletionsReached", LastTransitionTime = now },
                new V1JobCondition { Type = "Complete", Status = "True", Reason = "CompletionsReached", LastTransitionTime = now },
            ]
            :
            [
                new V1JobCondition { Type = "FailureTarget", Status = "True", Reason = "BackoffLimitExceeded", LastTransitionTime = now },
                new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded", LastTransitionTime = now },
            ];
        if (succeeded)
        {
            job.Status.CompletionTime = now;
            job.Status.Succeeded = 1;
        }
        else
        {
            job.Status.Failed = 1;
        }
        await cluster.Client.For<V1Job>().UpdateStatusAsync(job);
    }

    public static async Task WaitForEventAsync(TestCluster cluster, string cronJob, string reason)
    {
        try
        {
            await TestCluster.EventuallyAsync(async () => (await cluster.Client.For<Corev1Event>().ListAsync(TestNamespace)).Items
                .Any(e => e.InvolvedObject.Name == cronJob && e.Reason == reason), $"event {reason} on {cronJob}");
        }
        catch (TimeoutException ex)
        {
            var events = (await cluster.Client.For<Corev1Event>().ListAsync(TestNamespace)).Items.Where(e => e.InvolvedObject.Name == cronJob).Select(e => $"{e.Reason}: {e.Message}");
            var current = await cluster.Client.For<V1CronJob>().GetAsync(TestNamespace, cronJob);
            var jobs = (await JobsAsync(cluster, cronJob)).Select(j => j.Metadata.Name);
            throw new TimeoutException($"{ex.Message}; events [{string.Join("; ", events)}]; status {System.Text.Json.JsonSerializer.Serialize(current?.Status)}; jobs [{string.Join(", ", jobs)}]", ex);
        }
    }
}
