using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;

namespace Gantry.Controllers.Job;

/// <summary>
/// Runs batch/v1 Jobs as kube-controller-manager's job controller does: creates pods from the template up to
/// parallelism (NonIndexed or Indexed), counts finished pods through the <c>batch.kubernetes.io/job-tracking</c> pod
/// finalizer and <c>status.uncountedTerminatedPods</c>, re-creates failed pods with exponential backoff, and finishes the
/// job (SuccessCriteriaMet then Complete, or FailureTarget then Failed) on completions, backoffLimit or
/// activeDeadlineSeconds; suspend deletes the active pods.
/// </summary>
public sealed partial class JobController : IController
{
    private const string PodOwnerIndex = "job-controller/owner";
    private const string ManagedByValue = "kubernetes.io/job-controller";
    private readonly ControllerContext _context;
    private readonly JobControllerOptions _options;
    private readonly Informer<V1Job> _jobs;
    private readonly Informer<V1Pod> _pods;
    private readonly IResourceClient<V1Job> _jobClient;
    private readonly IResourceClient<V1Pod> _podClient;
    private readonly RateLimitingQueue<string> _queue;
    private readonly EventRecorder _events;
    private readonly JobExpectations _expectations;
    // The resourceVersion of this controller's last status write per job: a cached job older than that is stale and
    // would make the sync undo its own counting, so the sync waits for the informer instead.
    private readonly Dictionary<string, long> _written = new(StringComparer.Ordinal);
    private readonly Lock _writtenLock = new();

    /// <summary>Registers the job and pod informers of <paramref name="context"/>.</summary>
    public JobController(ControllerContext context, JobControllerOptions? options = null)
    {
        _context = context;
        _options = options ?? new JobControllerOptions();
        _jobClient = context.Client.For<V1Job>();
        _podClient = context.Client.For<V1Pod>();
        _queue = new RateLimitingQueue<string>(null, context.Time);
        _events = context.Recorder("job-controller");
        _expectations = new JobExpectations(context.Time, _options.ExpectationsTimeout);
        _jobs = context.Informers.For<V1Job>();
        _pods = context.Informers.For<V1Pod>();
        if (!_pods.Cache.HasIndexer(PodOwnerIndex)) _pods.AddIndexer(PodOwnerIndex, p => JobPods.OwnerJobKey(p) is { } key ? [key] : []);
        _jobs.AddEventHandler(onAdd: j => _queue.Add(ObjectKey.Of(j)), onUpdate: (_, j) => _queue.Add(ObjectKey.Of(j)), onDelete: OnJobDeleted);
        _pods.AddEventHandler(onAdd: OnPodAdded, onUpdate: OnPodUpdated, onDelete: OnPodDeleted);
    }

    /// <inheritdoc />
    public string Name => "job-controller";

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

    private void OnJobDeleted(V1Job job)
    {
        var key = ObjectKey.Of(job);
        _expectations.Forget(key);
        lock (_writtenLock) _written.Remove(key);
        _queue.Add(key);
    }

    private void OnPodAdded(V1Pod pod)
    {
        if (JobPods.OwnerJobKey(pod) is not { } key) return;
        _expectations.CreationObserved(key);
        if (pod.Metadata.DeletionTimestamp is not null) _expectations.DeletionObserved(key, pod.Metadata.Uid);
        _queue.Add(key);
    }

    private void OnPodUpdated(V1Pod old, V1Pod pod)
    {
        if (JobPods.OwnerJobKey(pod) is not { } key) return;
        if (pod.Metadata.DeletionTimestamp is not null) _expectations.DeletionObserved(key, pod.Metadata.Uid);
        if (!JobPods.HasFinalizer(pod)) _expectations.FinalizerRemovalObserved(key, pod.Metadata.Uid);
        // Unchanged resyncs, and changes that matter to nobody here, still sync: the sync is cheap and level-triggered.
        _queue.Add(key);
        if (JobPods.OwnerJobKey(old) is { } oldKey && oldKey != key) _queue.Add(oldKey);
    }

    private void OnPodDeleted(V1Pod pod)
    {
        if (JobPods.OwnerJobKey(pod) is not { } key) return;
        _expectations.DeletionObserved(key, pod.Metadata.Uid);
        _expectations.FinalizerRemovalObserved(key, pod.Metadata.Uid);
        _queue.Add(key);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var cached = _jobs.Get(ns, name);
        // spec.managedBy hands a job (and its pods) to another controller, such as a multi-cluster dispatcher.
        if (cached?.Spec.ManagedBy is { } manager && manager != ManagedByValue) return;
        // Expectations are read before the pods: the informer updates its cache before it tells the handlers, so a pod
        // event landing between the two reads is then either in the pods read or still expected. Read the other way
        // round, a pod created (or a finalizer removed) in between is neither, and is created (or counted) twice.
        var expected = new SyncExpectations(_expectations.Satisfied(key), _expectations.PendingFinalizerRemovals(key));
        var owned = _pods.ByIndex(PodOwnerIndex, key);
        var live = cached is not null && cached.Metadata.DeletionTimestamp is null && !JobConditions.IsFinished(cached);
        // Pods nothing will count any more (of a deleted, finished or replaced job) keep no finalizer.
        var leftovers = owned.Where(p => JobPods.HasFinalizer(p) && (!live || !IsControlledBy(p, cached!))).ToList();
        if (leftovers.Count > 0)
        {
            var (_, error) = await RemoveFinalizersAsync(key, leftovers, cancellationToken);
            if (error is not null) throw error;
        }
        if (!live || IsStale(key, cached!)) return;
        var job = ObjectCopy.DeepCopy(cached!);
        await SyncAsync(key, job, owned.Where(p => IsControlledBy(p, job)).ToList(), expected, cancellationToken);
    }

    private static bool IsControlledBy(V1Pod pod, V1Job job) =>
        pod.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == job.Metadata.Uid) == true;

    private bool IsStale(string key, V1Job cached)
    {
        lock (_writtenLock)
            return _written.TryGetValue(key, out var written) && long.TryParse(cached.Metadata.ResourceVersion, out var seen) && seen < written;
    }

    private async Task<V1Job> UpdateStatusAsync(string key, V1Job job, CancellationToken cancellationToken)
    {
        // Kubernetes omits zero counters and empty uid lists.
        var status = job.Status;
        if (status.Active == 0) status.Active = null;
        if (status.Succeeded == 0) status.Succeeded = null;
        if (status.Failed == 0) status.Failed = null;
        if (status.UncountedTerminatedPods is { } uncounted)
        {
            if (uncounted.Succeeded is { Count: 0 }) uncounted.Succeeded = null;
            if (uncounted.Failed is { Count: 0 }) uncounted.Failed = null;
        }
        var updated = await _jobClient.UpdateStatusAsync(job, cancellationToken);
        if (long.TryParse(updated.Metadata.ResourceVersion, out var version))
            lock (_writtenLock) _written[key] = version;
        return updated;
    }

    /// <summary>Removes the tracking finalizer from each pod; returns the uids whose finalizer is gone (or whose pod is) and any failure.</summary>
    private async Task<(HashSet<string> Removed, Exception? Error)> RemoveFinalizersAsync(string key, IReadOnlyList<V1Pod> pods,
        CancellationToken cancellationToken)
    {
        var removed = new HashSet<string>(StringComparer.Ordinal);
        Exception? failure = null;
        foreach (var pod in pods) _expectations.ExpectFinalizerRemoval(key, pod.Metadata.Uid);
        await Parallel.ForEachAsync(pods, cancellationToken, async (pod, token) =>
        {
            try
            {
                await RemoveFinalizerAsync(pod, token);
            }
            catch (ApiClientException ex) when (!ex.IsNotFound)
            {
                // No update will show this removal: stop waiting for it.
                _expectations.FinalizerRemovalObserved(key, pod.Metadata.Uid);
                failure = ex;
                return;
            }
            catch (ApiClientException)
            {
                // Gone already: nothing holds it.
            }
            lock (removed) removed.Add(pod.Metadata.Uid);
        });
        return (removed, failure);
    }

    private Task RemoveFinalizerAsync(V1Pod pod, CancellationToken cancellationToken) =>
        _podClient.PatchAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, PatchType.StrategicMerge,
            new Dictionary<string, object> { ["metadata"] = new Dictionary<string, object> { ["$deleteFromPrimitiveList/finalizers"] = new[] { JobPods.TrackingFinalizer } } },
            cancellationToken: cancellationToken);

    /// <summary>Deletes pods; with <paramref name="releaseFinalizer"/> first removes the finalizer so they are not counted as failed.</summary>
    private async Task<(int Deleted, int DeletedReady, Exception? Error)> DeletePodsAsync(string key, V1Job job, IReadOnlyList<V1Pod> pods, bool releaseFinalizer,
        CancellationToken cancellationToken)
    {
        int deleted = 0, deletedReady = 0;
        Exception? failure = null;
        await Parallel.ForEachAsync(pods, cancellationToken, async (pod, token) =>
        {
            _expectations.ExpectDeletion(key, pod.Metadata.Uid);
            try
            {
                if (releaseFinalizer && JobPods.HasFinalizer(pod)) await RemoveFinalizerAsync(pod, token);
                await _podClient.DeleteAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, new DeleteOptions { PreconditionUid = pod.Metadata.Uid }, token);
                _events.Normal(job, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            }
            catch (ApiClientException ex) when (ex.IsNotFound)
            {
                _expectations.DeletionObserved(key, pod.Metadata.Uid);
            }
            catch (ApiClientException ex)
            {
                _expectations.DeletionObserved(key, pod.Metadata.Uid);
                _events.Warning(job, "FailedDelete", $"Error deleting: {ex.Message}");
                failure = ex;
                return;
            }
            Interlocked.Increment(ref deleted);
            if (JobPods.IsReady(pod)) Interlocked.Increment(ref deletedReady);
        });
        return (deleted, deletedReady, failure);
    }
}
