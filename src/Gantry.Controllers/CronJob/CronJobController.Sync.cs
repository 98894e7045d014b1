using System.Globalization;
using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.CronJob;

public sealed partial class CronJobController
{
    /// <summary>Wake-ups land this long after a scheduled time, so that the time has surely passed (nextScheduleDelta).</summary>
    private static readonly TimeSpan NextScheduleDelta = TimeSpan.FromMilliseconds(100);
    /// <summary>More missed start times than this suggest clock skew or a wedged controller: warn (Kubernetes picked 100).</summary>
    private const int TooManyMissed = 100;

    /// <summary>
    /// syncCronJob: reconciles status.active with the jobs, then starts the most recent unmet scheduled run if the
    /// CronJob, its deadline and its concurrency policy allow. Returns when to look again, whether the status changed,
    /// and a failure to retry.
    /// </summary>
    private async Task<(TimeSpan? RequeueAfter, bool Changed, Exception? Error)> SyncAsync(V1CronJob cronJob, List<V1Job> jobs,
        CancellationToken cancellationToken)
    {
        var now = _context.Time.GetUtcNow();
        var changed = false;
        var status = cronJob.Status;
        foreach (var job in jobs)
        {
            var finished = CronJobJobs.FinishedType(job);
            var listed = InActive(cronJob, job.Metadata.Uid);
            if (!listed && finished is null)
            {
                // Made by us but missing from the status: our status write may just not be in the cache yet.
                var fresh = await _cronJobClient.GetAsync(cronJob.Metadata.NamespaceProperty, cronJob.Metadata.Name, cancellationToken);
                if (fresh is not null && InActive(fresh, job.Metadata.Uid))
                {
                    // Our cache was behind: carry on from the fresh object, so the status write does not conflict.
                    cronJob.Metadata.ResourceVersion = fresh.Metadata.ResourceVersion;
                    cronJob.Spec = fresh.Spec;
                    cronJob.Status = status = fresh.Status;
                    continue;
                }
                _events.Warning(cronJob, "UnexpectedJob", $"Saw a job that the controller did not create or forgot: {job.Metadata.Name}");
            }
            else if (listed && finished is not null)
            {
                RemoveFromActive(cronJob, job.Metadata.Uid);
                _events.Normal(cronJob, "SawCompletedJob", $"Saw completed job: {job.Metadata.Name}, condition: {finished}");
                changed = true;
            }
            if (finished == "Complete" && job.Status.CompletionTime is { } completed && (status.LastSuccessfulTime is null || completed > status.LastSuccessfulTime))
            {
                status.LastSuccessfulTime = completed;
                changed = true;
            }
        }
        foreach (var reference in (status.Active ?? []).ToList())
        {
            if (jobs.Any(j => j.Metadata.Uid == reference.Uid)) continue;
            // The cache may lag: only a job the API server no longer has is gone.
            if (await _jobClient.GetAsync(reference.NamespaceProperty ?? cronJob.Metadata.NamespaceProperty, reference.Name, cancellationToken) is null)
            {
                _events.Normal(cronJob, "MissingJob", $"Active job went missing: {reference.Name}");
                RemoveFromActive(cronJob, reference.Uid);
                changed = true;
            }
        }
        if (cronJob.Metadata.DeletionTimestamp is not null) return (null, changed, null);
        if (CronJobSchedule.FindZone(cronJob.Spec.TimeZone) is not { } zone)
        {
            _events.Warning(cronJob, "UnknownTimeZone", $"invalid timeZone: \"{cronJob.Spec.TimeZone}\": unknown time zone {cronJob.Spec.TimeZone}");
            return (null, changed, null);
        }
        if (cronJob.Spec.Suspend == true) return (null, changed, null);
        if (CronJobSchedule.Parse(cronJob.Spec.Schedule, zone, out var parseError) is not { } schedule)
        {
            _events.Warning(cronJob, "UnparseableSchedule", $"unparseable schedule: \"{cronJob.Spec.Schedule}\" : {parseError}");
            return (null, changed, null);
        }

        var (_, scheduled, missed) = MostRecentScheduleTime(cronJob, now, schedule, withStartingDeadline: true);
        if (scheduled is null || scheduled > now) return (NextWakeUp(cronJob, now, schedule), changed, null);
        if (missed > TooManyMissed)
            _events.Warning(cronJob, "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        var time = scheduled.Value;
        if (cronJob.Spec.StartingDeadlineSeconds is { } deadline && time + TimeSpan.FromSeconds(deadline) < now)
        {
            _events.Warning(cronJob, "MissSchedule", $"Missed scheduled time to start a job: {time.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)}");
            return (NextWakeUp(cronJob, now, schedule), changed, null);
        }
        var name = CronJobJobs.Name(cronJob, time);
        if (status.Active?.Any(r => r.Name == name) == true || status.LastScheduleTime is { } last && Utc(last) == time)
            return (NextWakeUp(cronJob, now, schedule), changed, null);
        if (cronJob.Spec.ConcurrencyPolicy == "Forbid" && status.Active is { Count: > 0 })
        {
            _events.Normal(cronJob, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return (NextWakeUp(cronJob, now, schedule), changed, null);
        }
        if (cronJob.Spec.ConcurrencyPolicy == "Replace")
        {
            foreach (var reference in (status.Active ?? []).ToList())
            {
                var running = await _jobClient.GetAsync(reference.NamespaceProperty ?? cronJob.Metadata.NamespaceProperty, reference.Name, cancellationToken);
                if (running is null)
                {
                    RemoveFromActive(cronJob, reference.Uid);
                    changed = true;
                    continue;
                }
                if (!await DeleteJobAsync(cronJob, running, cancellationToken))
                    return (null, changed, new InvalidOperationException($"could not replace job {reference.NamespaceProperty}/{reference.Name}"));
                changed = true;
            }
        }

        V1Job created;
        try
        {
            created = await _jobClient.CreateAsync(CronJobJobs.FromTemplate(cronJob, time, zone), cronJob.Metadata.NamespaceProperty, cancellationToken);
            _events.Normal(cronJob, "SuccessfulCreate", $"Created job {created.Metadata.Name}");
        }
        catch (ApiClientException ex) when (ex.IsAlreadyExists)
        {
            // Created before (the name is the lock): adopt it into the status if it is ours.
            var existing = await _jobClient.GetAsync(cronJob.Metadata.NamespaceProperty, name, cancellationToken);
            if (existing is null || existing.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == cronJob.Metadata.Uid) != true
                || InActive(cronJob, existing.Metadata.Uid)) return (null, changed, null);
            created = existing;
        }
        catch (ApiClientException ex)
        {
            _events.Warning(cronJob, "FailedCreate", $"Error creating job: {ex.Message}");
            return (null, changed, ex);
        }
        status.Active ??= [];
        status.Active.Add(CronJobJobs.Reference(created));
        status.LastScheduleTime = time.UtcDateTime;
        return (NextWakeUp(cronJob, now, schedule), true, null);
    }

    /// <summary>
    /// mostRecentScheduleTime: from the last schedule time (or creation, or now minus startingDeadlineSeconds if later)
    /// to now, the latest scheduled time that has passed (null if none) and roughly how many were missed.
    /// </summary>
    private static (DateTimeOffset Earliest, DateTimeOffset? MostRecent, long Missed) MostRecentScheduleTime(V1CronJob cronJob, DateTimeOffset now,
        CronJobSchedule schedule, bool withStartingDeadline)
    {
        var earliest = Utc(cronJob.Status?.LastScheduleTime ?? cronJob.Metadata.CreationTimestamp ?? now.UtcDateTime);
        if (withStartingDeadline && cronJob.Spec.StartingDeadlineSeconds is { } deadline && now - TimeSpan.FromSeconds(deadline) > earliest)
            earliest = now - TimeSpan.FromSeconds(deadline);
        if (schedule.Next(earliest) is not { } first || now < first) return (earliest, null, 0);
        if (schedule.Next(first) is not { } second || now < second) return (earliest, first, 0);
        var interval = (long)Math.Round((second - first).TotalSeconds);
        if (interval < 1) return (earliest, null, 0);
        // Counting every missed time could take forever after a long outage: estimate from the interval, then walk
        // only the last stretch to find the exact most recent time.
        var missed = (long)(now - first).TotalSeconds / interval + 1;
        DateTimeOffset? mostRecent = null;
        var from = first + TimeSpan.FromSeconds((missed - 2) * interval);
        for (var t = schedule.Next(from); t is { } at && at <= now; t = schedule.Next(at)) mostRecent = at;
        return (earliest, mostRecent, missed);
    }

    /// <summary>How long until just after the next scheduled time.</summary>
    private static TimeSpan? NextWakeUp(V1CronJob cronJob, DateTimeOffset now, CronJobSchedule schedule)
    {
        var (earliest, mostRecent, _) = MostRecentScheduleTime(cronJob, now, schedule, withStartingDeadline: false);
        return schedule.Next(mostRecent ?? earliest) is { } next ? next + NextScheduleDelta - now : null;
    }

    /// <summary>Model times are UTC; one marked Local is converted rather than relabelled.</summary>
    private static DateTimeOffset Utc(DateTime time) =>
        new(time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
