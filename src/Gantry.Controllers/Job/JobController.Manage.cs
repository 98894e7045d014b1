using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.Job;

public sealed partial class JobController
{
    /// <summary>
    /// manageJob: brings the number of active pods to what the job wants (none when suspended; else parallelism, capped
    /// by the completions still missing), waiting out the pod failure backoff before creating. Returns the new active
    /// count and any write failure.
    /// </summary>
    private async Task<(int Active, Exception? Error)> ManageAsync(SyncState state, DateTime now, CancellationToken cancellationToken)
    {
        var job = state.Job;
        var active = state.Active.Count;
        if (job.Spec.Suspend == true)
        {
            var (removed, removedReady, error) = await DeletePodsAsync(state.Key, job, JobPods.OrderForRemoval(state.Active).ToList(), releaseFinalizer: true, cancellationToken);
            state.Terminating += removed;
            state.Ready -= removedReady;
            return (active - removed, error);
        }
        var parallelism = job.Spec.Parallelism ?? 1;
        var wantActive = job.Spec.Completions is { } completions
            ? Math.Clamp(completions - state.Succeeded, 0, parallelism)
            // Without completions the first success ends the job: running pods finish, no new ones start.
            : state.Succeeded > 0 ? active : parallelism;
        var toDelete = PodsForRemoval(state, Math.Max(0, active - wantActive)).Take(MaxPodsPerSync).ToList();
        if (toDelete.Count > 0)
        {
            var (removed, removedReady, error) = await DeletePodsAsync(state.Key, job, toDelete, releaseFinalizer: true, cancellationToken);
            state.Terminating += removed;
            state.Ready -= removedReady;
            return (active - removed, error);
        }
        // With podReplacementPolicy Failed a terminating pod is replaced only once it has failed.
        var held = job.Spec.PodReplacementPolicy == "Failed" ? state.Terminating : 0;
        var missing = Math.Min(wantActive - held - active, MaxPodsPerSync);
        if (missing <= 0) return (active, null);
        var wait = BackoffRemaining(state, now);
        if (wait > TimeSpan.Zero)
        {
            _queue.AddAfter(state.Key, wait);
            return (active, null);
        }
        var indexes = state.Indexed ? PendingIndexes(state, missing) : null;
        if (indexes is not null) missing = indexes.Count;
        var (created, createError) = await CreatePodsAsync(state, missing, indexes, cancellationToken);
        return (active + created, createError);
    }

    /// <summary>
    /// Creates pods in batches of 1, 2, 4 ... ("slow start"), stopping at the first failing batch, so that a job that
    /// cannot create pods (quota, invalid template) does not flood the API server and the event log.
    /// </summary>
    private async Task<(int Created, Exception? Error)> CreatePodsAsync(SyncState state, int count, List<int>? indexes, CancellationToken cancellationToken)
    {
        var job = state.Job;
        _expectations.ExpectCreations(state.Key, count);
        var created = 0;
        Exception? failure = null;
        var next = 0;
        for (var batch = 1; next < count; batch = Math.Min(batch * 2, count - next))
        {
            batch = Math.Min(batch, count - next);
            var slots = Enumerable.Range(next, batch).ToList();
            next += batch;
            var failedInBatch = 0;
            await Parallel.ForEachAsync(slots, cancellationToken, async (slot, token) =>
            {
                var pod = JobPods.FromTemplate(job, indexes?[slot]);
                try
                {
                    var made = await _podClient.CreateAsync(pod, job.Metadata.NamespaceProperty, token);
                    Interlocked.Increment(ref created);
                    _events.Normal(job, "SuccessfulCreate", $"Created pod: {made.Metadata.Name}");
                }
                catch (ApiClientException ex)
                {
                    // The informer will never show this pod.
                    _expectations.CreationObserved(state.Key);
                    Interlocked.Increment(ref failedInBatch);
                    failure = ex;
                    _events.Warning(job, "FailedCreate", $"Error creating: {ex.Message}");
                }
            });
            if (failedInBatch > 0)
            {
                for (var skipped = next; skipped < count; skipped++) _expectations.CreationObserved(state.Key);
                break;
            }
        }
        return (created, failure);
    }

    /// <summary>
    /// Active pods to delete: for Indexed jobs first those with a missing, out-of-range or repeated index, then, up to
    /// <paramref name="atLeast"/>, the cheapest to lose.
    /// </summary>
    private static List<V1Pod> PodsForRemoval(SyncState state, int atLeast)
    {
        var remove = new List<V1Pod>();
        var keep = state.Active;
        if (state.Indexed)
        {
            keep = [];
            var seen = new HashSet<int>();
            foreach (var pod in JobPods.OrderForRemoval(state.Active).Reverse())
            {
                var index = JobPods.CompletionIndex(pod);
                if (index < 0 || index >= state.Job.Spec.Completions || !seen.Add(index)) remove.Add(pod);
                else keep.Add(pod);
            }
        }
        if (remove.Count < atLeast) remove.AddRange(JobPods.OrderForRemoval(keep).Take(atLeast - remove.Count));
        return remove;
    }

    /// <summary>The lowest indexes that neither succeeded nor have a pod working on them.</summary>
    private static List<int> PendingIndexes(SyncState state, int count)
    {
        var busy = new HashSet<int>(state.SucceededIndexes);
        var holders = state.Job.Spec.PodReplacementPolicy == "Failed" ? state.Pods.Where(p => !JobPods.IsTerminal(p)) : state.Active;
        busy.UnionWith(holders.Select(JobPods.CompletionIndex));
        return Enumerable.Range(0, state.Job.Spec.Completions!.Value).Where(i => !busy.Contains(i)).Take(count).ToList();
    }

    /// <summary>
    /// How long to wait before creating pods after failures: the backoff (10 s doubling per failure since the last
    /// success, capped at 6 min by default) counted from the last failure. Read from the pods in the cache, so it
    /// survives a controller restart as long as pod GC has not removed the failed pods.
    /// </summary>
    private TimeSpan BackoffRemaining(SyncState state, DateTime now)
    {
        var lastSuccess = state.Pods.Where(JobPods.IsSucceeded).Select(JobPods.FinishTime).DefaultIfEmpty(DateTime.MinValue).Max();
        // Pods this controller deleted (suspend, excess) lost their finalizer first and are no failures.
        var failures = state.Pods.Where(p => p.Status?.Phase == "Failed" || JobPods.IsFailed(p, state.Job) && JobPods.HasFinalizer(p))
            .Select(JobPods.FinishTime).Where(t => t > lastSuccess).ToList();
        if (failures.Count == 0) return TimeSpan.Zero;
        var delay = _options.PodFailureBackoff * Math.Pow(2, Math.Min(failures.Count - 1, 30));
        if (delay > _options.MaxPodFailureBackoff) delay = _options.MaxPodFailureBackoff;
        var remaining = failures.Max() + delay - now;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
}
