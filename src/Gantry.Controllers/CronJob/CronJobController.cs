using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;

namespace Gantry.Controllers.CronJob;

/// <summary>
/// Runs batch/v1 CronJobs as Kubernetes' cronjob controller (v2) does: creates a Job named
/// <c>&lt;cronjob&gt;-&lt;scheduled minutes since the epoch&gt;</c> at each scheduled time (in spec.timeZone), honours
/// startingDeadlineSeconds, concurrencyPolicy (Allow, Forbid, Replace) and suspend, keeps status.active,
/// lastScheduleTime and lastSuccessfulTime, and prunes finished jobs beyond the history limits. Time comes from
/// <see cref="ControllerContext.Time"/>; the work queue wakes each CronJob just after its next scheduled time.
/// </summary>
public sealed partial class CronJobController : IController
{
    private const string JobOwnerIndex = "cronjob-controller/owner";
    private readonly ControllerContext _context;
    private readonly Informer<V1CronJob> _cronJobs;
    private readonly Informer<V1Job> _jobs;
    private readonly IResourceClient<V1CronJob> _cronJobClient;
    private readonly IResourceClient<V1Job> _jobClient;
    private readonly RateLimitingQueue<string> _queue;
    private readonly EventRecorder _events;

    /// <summary>Registers the CronJob and Job informers of <paramref name="context"/>.</summary>
    public CronJobController(ControllerContext context)
    {
        _context = context;
        _cronJobClient = context.Client.For<V1CronJob>();
        _jobClient = context.Client.For<V1Job>();
        _queue = new RateLimitingQueue<string>(null, context.Time);
        _events = context.Recorder("cronjob-controller");
        _cronJobs = context.Informers.For<V1CronJob>();
        _jobs = context.Informers.For<V1Job>();
        if (!_jobs.Cache.HasIndexer(JobOwnerIndex)) _jobs.AddIndexer(JobOwnerIndex, j => CronJobJobs.OwnerKey(j) is { } key ? [key] : []);
        _cronJobs.AddEventHandler(onAdd: c => _queue.Add(ObjectKey.Of(c)), onUpdate: (_, c) => _queue.Add(ObjectKey.Of(c)));
        _jobs.AddEventHandler(onAdd: EnqueueOwner, onUpdate: (old, job) => { EnqueueOwner(old); EnqueueOwner(job); }, onDelete: EnqueueOwner);
    }

    /// <inheritdoc />
    public string Name => "cronjob-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await new ControllerRunner<string>(Name, _queue, ReconcileAsync, _context.Loggers).RunAsync(_context.Options.Workers, cancellationToken);
        }
        finally
        {
            await _events.DisposeAsync();
        }
    }

    private void EnqueueOwner(V1Job job)
    {
        if (CronJobJobs.OwnerKey(job) is { } key) _queue.Add(key);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        if (_cronJobs.Get(ns, name) is not { } cached) return;
        var cronJob = ObjectCopy.DeepCopy(cached);
        cronJob.Status ??= new V1CronJobStatus();
        var jobs = _jobs.ByIndex(JobOwnerIndex, key)
            .Where(j => j.Metadata.OwnerReferences!.Any(o => o.Controller == true && o.Uid == cronJob.Metadata.Uid)).ToList();
        var cleaned = await CleanupFinishedJobsAsync(cronJob, jobs, cancellationToken);
        var (requeueAfter, changed, error) = await SyncAsync(cronJob, jobs, cancellationToken);
        if (cleaned || changed)
        {
            // Kubernetes omits an empty active list.
            if (cronJob.Status.Active is { Count: 0 }) cronJob.Status.Active = null;
            await _cronJobClient.UpdateStatusAsync(cronJob, cancellationToken);
        }
        if (requeueAfter is { } delay)
        {
            _queue.AddAfter(key, delay);
            return;
        }
        if (error is not null) throw error;
    }

    /// <summary>Deletes the oldest finished jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit.</summary>
    private async Task<bool> CleanupFinishedJobsAsync(V1CronJob cronJob, List<V1Job> jobs, CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var (type, limit) in new[] { ("Complete", cronJob.Spec.SuccessfulJobsHistoryLimit), ("Failed", cronJob.Spec.FailedJobsHistoryLimit) })
        {
            if (limit is not { } keep) continue;
            var finished = jobs.Where(j => CronJobJobs.FinishedType(j) == type)
                // Oldest start first; jobs that never started sort last.
                .OrderBy(j => j.Status?.StartTime is null ? 1 : 0).ThenBy(j => j.Status?.StartTime).ThenBy(j => j.Metadata.Name, StringComparer.Ordinal)
                .ToList();
            foreach (var job in finished.Take(Math.Max(0, finished.Count - keep)))
                changed |= await DeleteJobAsync(cronJob, job, cancellationToken);
        }
        return changed;
    }

    /// <summary>Deletes a job (Background: the garbage collector takes its pods) and drops it from status.active.</summary>
    private async Task<bool> DeleteJobAsync(V1CronJob cronJob, V1Job job, CancellationToken cancellationToken)
    {
        try
        {
            await _jobClient.DeleteAsync(job.Metadata.NamespaceProperty, job.Metadata.Name, DeleteOptions.Background, cancellationToken);
        }
        catch (ApiClientException ex)
        {
            _events.Warning(cronJob, "FailedDelete", $"Deleted job: {ex.Message}");
            return false;
        }
        RemoveFromActive(cronJob, job.Metadata.Uid);
        _events.Normal(cronJob, "SuccessfulDelete", $"Deleted job {job.Metadata.Name}");
        return true;
    }

    private static void RemoveFromActive(V1CronJob cronJob, string uid) =>
        cronJob.Status.Active = cronJob.Status.Active?.Where(r => r.Uid != uid).ToList();

    private static bool InActive(V1CronJob cronJob, string uid) => cronJob.Status?.Active?.Any(r => r.Uid == uid) == true;
}
