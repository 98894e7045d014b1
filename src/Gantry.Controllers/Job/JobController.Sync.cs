using k8s.Models;
using static Gantry.Controllers.Job.JobConditions;

namespace Gantry.Controllers.Job;

public sealed partial class JobController
{
    /// <summary>At most this many pods are created, deleted or counted in one sync (MaxUncountedPods / MaxPodCreateDeletePerSync).</summary>
    private const int MaxPodsPerSync = 500;

    /// <summary>What one sync of a job knows: its pods, the counts so far and the condition it is heading for.</summary>
    private sealed class SyncState(string key, V1Job job, List<V1Pod> pods)
    {
        public string Key { get; } = key;
        public V1Job Job { get; set; } = job;
        public List<V1Pod> Pods { get; } = pods;
        public List<V1Pod> Active { get; } = pods.Where(JobPods.IsActive).ToList();
        public HashSet<string> ExpectedRemovals { get; init; } = [];
        public HashSet<string> UncountedSucceeded { get; } = [.. job.Status.UncountedTerminatedPods?.Succeeded ?? []];
        public HashSet<string> UncountedFailed { get; } = [.. job.Status.UncountedTerminatedPods?.Failed ?? []];
        public bool Indexed { get; } = job.Spec.CompletionMode == "Indexed" && job.Spec.Completions is not null;
        public int Succeeded { get; set; }
        public int Failed { get; set; }
        public int Ready { get; set; }
        public int Terminating { get; set; }
        public V1JobCondition? Finished { get; set; }
        public SortedSet<int> PreviousIndexes { get; set; } = [];
        public SortedSet<int> SucceededIndexes { get; set; } = [];

        /// <summary>Whether a pod still waits to be counted: it holds the finalizer, is not counted yet and (Indexed) has a valid index.</summary>
        public bool Countable(V1Pod pod, HashSet<string> uncounted) =>
            JobPods.HasFinalizer(pod) && !uncounted.Contains(pod.Metadata.Uid) && !ExpectedRemovals.Contains(pod.Metadata.Uid)
            && (!Indexed || JobPods.CompletionIndex(pod) is var ix && ix >= 0 && ix < Job.Spec.Completions);
    }

    /// <summary>What the expectations said right before the sync read its pods.</summary>
    /// <param name="Satisfied">No pod creation or deletion is outstanding: the pods read are complete enough to manage.</param>
    /// <param name="FinalizerRemovals">Pods whose finalizer removal was sent but not yet seen: already counted.</param>
    private sealed record SyncExpectations(bool Satisfied, HashSet<string> FinalizerRemovals);

    private async Task SyncAsync(string key, V1Job job, List<V1Pod> pods, SyncExpectations expected, CancellationToken cancellationToken)
    {
        var now = _context.Time.GetUtcNow().UtcDateTime;
        job.Status ??= new V1JobStatus();
        var status = job.Status;
        var suspended = job.Spec.Suspend == true;
        var satisfied = expected.Satisfied;
        var state = new SyncState(key, job, pods) { ExpectedRemovals = expected.FinalizerRemovals };
        state.Ready = state.Active.Count(JobPods.IsReady);
        state.Terminating = pods.Count(JobPods.IsTerminating);
        var newSucceeded = pods.Count(p => state.Countable(p, state.UncountedSucceeded) && JobPods.IsSucceeded(p));
        var newFailed = pods.Count(p => state.Countable(p, state.UncountedFailed) && JobPods.IsFailed(p, job));
        state.Succeeded = (status.Succeeded ?? 0) + newSucceeded + state.UncountedSucceeded.Count;
        state.Failed = (status.Failed ?? 0) + newFailed + state.UncountedFailed.Count;
        if (status.StartTime is null && !suspended) status.StartTime = now;

        state.Finished = Find(job, SuccessCriteriaMet) is { Status: "True" } met ? met : null;
        if (state.Finished is null && Find(job, FailureTarget) is { Status: "True" } target) state.Finished = New(Failed, target.Reason, target.Message, now);
        if (state.Finished is null)
        {
            if (state.Failed > (job.Spec.BackoffLimit ?? 6) || PastBackoffLimitOnFailure(job, pods))
                state.Finished = New(FailureTarget, BackoffLimitExceeded, "Job has reached the specified backoff limit", now);
            else if (PastActiveDeadline(job, now))
                state.Finished = New(FailureTarget, DeadlineExceeded, "Job was active longer than specified deadline", now);
            else if (job.Spec.ActiveDeadlineSeconds is { } deadline && !suspended)
                _queue.AddAfter(key, status.StartTime!.Value + TimeSpan.FromSeconds(deadline) - now);
        }
        if (state.Indexed)
        {
            var completions = job.Spec.Completions!.Value;
            state.PreviousIndexes = CompletionIndexes.Parse(status.CompletedIndexes, completions);
            state.SucceededIndexes = [.. state.PreviousIndexes, .. pods.Where(JobPods.IsSucceeded).Select(JobPods.CompletionIndex).Where(i => i >= 0 && i < completions)];
            state.Succeeded = state.SucceededIndexes.Count;
        }

        var active = state.Active.Count;
        var suspendChanged = false;
        Exception? manageError = null;
        if (state.Finished is not null)
        {
            // The job is over: its running pods go, keeping their finalizers so that they are counted as failed.
            var (deleted, deletedReady, error) = await DeletePodsAsync(key, job, state.Active, releaseFinalizer: false, cancellationToken);
            if (deleted != active || !satisfied) state.Finished = null;
            active -= deleted;
            state.Terminating += deleted;
            state.Ready -= deletedReady;
            manageError = error;
        }
        else
        {
            var managed = false;
            if (satisfied)
            {
                (active, manageError) = await ManageAsync(state, now, cancellationToken);
                managed = true;
            }
            var complete = job.Spec.Completions is { } wanted ? state.Succeeded >= wanted && active == 0 : state.Succeeded > 0 && active == 0;
            if (complete)
            {
                state.Finished = New(SuccessCriteriaMet, CompletionsReached, "Reached expected number of succeeded pods", now);
            }
            else if (managed && suspended)
            {
                suspendChanged = Ensure(status, Suspended, "True", "JobSuspended", "Job suspended", now);
                if (suspendChanged) _events.Normal(job, "Suspended", "Job suspended");
            }
            else if (managed && Ensure(status, Suspended, "False", "JobResumed", "Job resumed", now))
            {
                suspendChanged = true;
                _events.Normal(job, "Resumed", "Job resumed");
                // activeDeadlineSeconds counts time continuously active, so a resumed job starts its clock again.
                status.StartTime = now;
            }
        }
        var needsFlush = suspendChanged || active != (status.Active ?? 0) || state.Ready != status.Ready || state.Terminating != status.Terminating;
        status.Active = active;
        status.Ready = state.Ready;
        status.Terminating = state.Terminating;
        await TrackStatusAsync(state, needsFlush, now, cancellationToken);
        if (manageError is not null) throw manageError;
    }

    private static bool PastActiveDeadline(V1Job job, DateTime now) =>
        job.Spec.ActiveDeadlineSeconds is { } deadline && job.Status.StartTime is { } start && job.Spec.Suspend != true
        && now - start >= TimeSpan.FromSeconds(deadline);

    /// <summary>With restartPolicy OnFailure the kubelet restarts containers in place: their restarts count against backoffLimit.</summary>
    private static bool PastBackoffLimitOnFailure(V1Job job, List<V1Pod> pods)
    {
        if (job.Spec.Template.Spec.RestartPolicy != "OnFailure") return false;
        var restarts = pods.Where(p => p.Status?.Phase is "Running" or "Pending")
            .SelectMany(p => (p.Status.InitContainerStatuses ?? []).Concat(p.Status.ContainerStatuses ?? []))
            .Sum(s => s.RestartCount);
        var limit = job.Spec.BackoffLimit ?? 6;
        return limit == 0 ? restarts > 0 : restarts >= limit;
    }

    /// <summary>
    /// trackJobStatusAndRemoveFinalizers: records finished pods in status.uncountedTerminatedPods, removes their
    /// finalizers, moves them into the succeeded/failed counters, and adds the terminal condition once nothing is left
    /// uncounted or terminating. A crash between steps loses nothing: uncounted uids are still in the status, and pods
    /// still holding the finalizer are still in the cache.
    /// </summary>
    private async Task TrackStatusAsync(SyncState state, bool needsFlush, DateTime now, CancellationToken cancellationToken)
    {
        var job = state.Job;
        var withFinalizer = state.Pods.Where(p => JobPods.HasFinalizer(p) && !state.ExpectedRemovals.Contains(p.Metadata.Uid))
            .Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        needsFlush |= CountUncounted(job.Status, withFinalizer);
        var uncounted = job.Status.UncountedTerminatedPods ??= new V1UncountedTerminatedPods();
        uncounted.Succeeded ??= [];
        uncounted.Failed ??= [];
        var toRelease = new List<V1Pod>();
        var newIndexes = new List<int>();
        var reachedMax = false;
        var ordered = state.Indexed ? state.Pods.OrderBy(JobPods.CompletionIndex) : (IEnumerable<V1Pod>)state.Pods;
        foreach (var pod in ordered)
        {
            var uid = pod.Metadata.Uid;
            if (!JobPods.HasFinalizer(pod) || state.ExpectedRemovals.Contains(uid)) continue;
            var failed = JobPods.IsFailed(pod, job);
            if (state.Finished is null && !JobPods.IsSucceeded(pod) && !failed) continue;
            toRelease.Add(pod);
            var index = JobPods.CompletionIndex(pod);
            var validIndex = index >= 0 && index < job.Spec.Completions;
            if (JobPods.IsSucceeded(pod) && !state.UncountedFailed.Contains(uid))
            {
                if (state.Indexed)
                {
                    if (validIndex && !state.PreviousIndexes.Contains(index)) { newIndexes.Add(index); needsFlush = true; }
                }
                else if (!state.UncountedSucceeded.Contains(uid))
                {
                    uncounted.Succeeded.Add(uid);
                    needsFlush = true;
                }
            }
            else if (failed || state.Finished is { Type: not (SuccessCriteriaMet or Complete) })
            {
                // A job that failed counts each pod it stops as failed.
                if (!state.UncountedFailed.Contains(uid) && (!state.Indexed || validIndex))
                {
                    uncounted.Failed.Add(uid);
                    needsFlush = true;
                }
            }
            if (newIndexes.Count + uncounted.Succeeded.Count + uncounted.Failed.Count >= MaxPodsPerSync)
            {
                // Keeps the status small and the sync short; the status write brings the job back for the rest.
                reachedMax = true;
                break;
            }
        }
        if (state.Indexed)
        {
            state.SucceededIndexes.UnionWith(newIndexes);
            var text = CompletionIndexes.Format(state.SucceededIndexes);
            if (text != (job.Status.CompletedIndexes ?? "")) needsFlush = true;
            job.Status.Succeeded = state.SucceededIndexes.Count;
            job.Status.CompletedIndexes = text;
        }
        if (state.Finished is { Type: FailureTarget } target)
        {
            job.Status.Conditions ??= [];
            job.Status.Conditions.Add(target);
            needsFlush = true;
            state.Finished = New(Failed, target.Reason, target.Message, now);
        }
        if (state.Finished is { Type: SuccessCriteriaMet } met)
        {
            if (Find(job, SuccessCriteriaMet) is null)
            {
                job.Status.Conditions ??= [];
                job.Status.Conditions.Add(met);
                needsFlush = true;
            }
            state.Finished = New(Complete, met.Reason, met.Message, now);
        }
        if (needsFlush)
        {
            job = state.Job = await UpdateStatusAsync(state.Key, job, cancellationToken);
            needsFlush = false;
        }
        var (released, error) = await RemoveFinalizersAsync(state.Key, toRelease, cancellationToken);
        withFinalizer.ExceptWith(released);
        needsFlush |= CountUncounted(job.Status, withFinalizer);
        if (error is not null)
        {
            if (needsFlush) await UpdateStatusAsync(state.Key, job, cancellationToken);
            throw error;
        }
        var finished = !reachedMax && EnactFinished(state, now);
        if (finished || needsFlush) job = state.Job = await UpdateStatusAsync(state.Key, job, cancellationToken);
        if (finished) RecordFinished(job, state.Finished!);
        if (reachedMax) _queue.Add(state.Key);
    }

    /// <summary>Moves uncounted pods that no longer hold the finalizer into the counters; returns whether anything moved.</summary>
    private static bool CountUncounted(V1JobStatus status, HashSet<string> withFinalizer)
    {
        if (status.UncountedTerminatedPods is not { } uncounted) return false;
        var changed = false;
        if (uncounted.Succeeded is { Count: > 0 } succeeded && succeeded.Where(withFinalizer.Contains).ToList() is var keepSucceeded
            && keepSucceeded.Count != succeeded.Count)
        {
            status.Succeeded = (status.Succeeded ?? 0) + succeeded.Count - keepSucceeded.Count;
            uncounted.Succeeded = keepSucceeded;
            changed = true;
        }
        if (uncounted.Failed is { Count: > 0 } failed && failed.Where(withFinalizer.Contains).ToList() is var keepFailed
            && keepFailed.Count != failed.Count)
        {
            status.Failed = (status.Failed ?? 0) + failed.Count - keepFailed.Count;
            uncounted.Failed = keepFailed;
            changed = true;
        }
        return changed;
    }

    /// <summary>Adds Complete or Failed once every pod is counted and none is still terminating.</summary>
    private static bool EnactFinished(SyncState state, DateTime now)
    {
        if (state.Finished is not { } finished) return false;
        var status = state.Job.Status;
        if ((status.UncountedTerminatedPods?.Succeeded?.Count ?? 0) + (status.UncountedTerminatedPods?.Failed?.Count ?? 0) > 0) return false;
        if (state.Terminating > 0) return false;
        Ensure(status, finished.Type, "True", finished.Reason, finished.Message, now);
        if (finished.Type == Complete) status.CompletionTime = now;
        return true;
    }

    private void RecordFinished(V1Job job, V1JobCondition finished)
    {
        if (finished.Type != Complete)
        {
            _events.Warning(job, finished.Reason, finished.Message);
            return;
        }
        if (job.Spec.Completions is { } completions && job.Status.Succeeded > completions)
            _events.Warning(job, "TooManySucceededPods", "Too many succeeded pods running after completion count reached");
        _events.Normal(job, "Completed", "Job completed");
    }
}
