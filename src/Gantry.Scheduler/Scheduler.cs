using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using Gantry.Scheduler.Plugins;
using Gantry.Scheduler.Preemption;
using Gantry.Scheduler.Queue;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Scheduler;

/// <summary>
/// A kube-scheduler: watches nodes and pods, takes pending pods of its scheduler name one at a time from a priority
/// queue, filters and scores the nodes of an in-memory snapshot, assumes the pod on the best node and binds it in the
/// background (pods/binding) while the next pod is scheduled. Pods no node fits get PodScheduled=False/Unschedulable and
/// a FailedScheduling event, and wait until the cluster changes.
/// </summary>
public sealed partial class Scheduler : IAsyncDisposable
{
    private readonly IApiClient _client;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SharedInformerFactory _informers;
    private readonly EventRecorder _events;
    private readonly SchedulerCache _cache = new();
    // Only the scheduling loop reads and updates it, once per cycle.
    private readonly Snapshot _snapshot = new();
    private readonly SchedulingQueue _queue;
    private readonly SchedulingFramework _framework;
    private readonly VolumeBinding _volumeBinding;
    private readonly DefaultPreemption _preemption;
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly SemaphoreSlim _bindings;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Informer<V1Pod> _pods;

    /// <summary>A scheduler talking to the API through <paramref name="client"/>.</summary>
    public Scheduler(IApiClient client, SchedulerOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)loggers?.CreateLogger<Scheduler>() ?? NullLogger.Instance;
        _informers = new SharedInformerFactory(client, time: _time, loggers: loggers);
        _events = new EventRecorder(client, options.SchedulerName, time: _time, loggers: loggers);
        _queue = new SchedulingQueue(options, _time);
        // One unpaged list, as kube-scheduler's reflector gets from the watch cache: the server reads later pages of a
        // paged list from the store, each from its continue key to the end, so relisting 100,000 pods page by page costs
        // minutes — long enough for the resumed watch to be too old again, and the informer relists forever.
        _pods = _informers.For<V1Pod>(new InformerOptions { PageSize = 0 });
        _bindings = new SemaphoreSlim(Math.Max(1, options.MaxBindingsInFlight));
        // The default spread constraints count what the pod's Services and workload select, read from their informers.
        var workloads = new WorkloadSelectors(_informers.For<V1Service>(), _informers.For<V1ReplicationController>(),
            _informers.For<V1ReplicaSet>(), _informers.For<V1StatefulSet>());
        var spread = new PodTopologySpread(options.PodTopologySpread, workloads.For);
        _framework = new SchedulingFramework(options.Parallelism, _cache.Namespaces, spread) { PercentageOfNodesToScore = options.PercentageOfNodesToScore };
        _volumeBinding = new VolumeBinding(client, _informers, options.VolumeBinding, _time, _queue.MoveAllToActiveOrBackoff);
        _preemption = new DefaultPreemption(client, _framework, _cache, _events, options, _time, _logger, _queue.MoveAllToActiveOrBackoff);
    }

    /// <summary>Schedules pods until cancelled, then waits for bindings in flight.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var token = stop.Token;
        var nodes = _informers.For<V1Node>();
        nodes.AddEventHandler(OnNodeAdded, OnNodeUpdated, OnNodeDeleted);
        _pods.AddEventHandler(OnPodAdded, OnPodUpdated, OnPodDeleted);
        // Namespace labels, for the namespaceSelector of pod affinity terms.
        _informers.For<V1Namespace>().AddEventHandler(_cache.Namespaces.Set, (_, ns) => _cache.Namespaces.Set(ns), ns => _cache.Namespaces.Remove(ns.Metadata.Name));
        _preemption.Watch(_informers, _pods);
        _informers.Start(token);
        var flushing = Task.Run(() => _queue.RunAsync(token), CancellationToken.None);
        try
        {
            await _informers.WaitForCacheSyncAsync(token).ConfigureAwait(false);
            LogStarted(_logger, _options.SchedulerName);
            while (!token.IsCancellationRequested)
            {
                // Backpressure: with the API server behind, more bindings in flight would only wait (and time out) in
                // the client; kube-scheduler's client rate limiter holds it back the same way.
                await _bindings.WaitAsync(token).ConfigureAwait(false);
                var (pod, cycle) = await _queue.PopAsync(token).ConfigureAwait(false);
                if (!ScheduleOne(pod, cycle)) _bindings.Release();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await flushing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(_background.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One scheduling cycle; true when it started a binding (which releases its slot when done).</summary>
    private bool ScheduleOne(QueuedPod queued, long cycle)
    {
        // The informer has the freshest state: skip pods deleted, bound or recreated since they were queued.
        var pod = _pods.Get(queued.Pod.Namespace(), queued.Pod.Name());
        if (pod is null || pod.Metadata.Uid != queued.Pod.Metadata.Uid || !IsPending(pod))
        {
            _queue.Done(queued.Key);
            return false;
        }
        queued.Pod = pod;
        try
        {
            _cache.UpdateSnapshot(_snapshot);
            var nodes = _snapshot.Nodes;
            if (nodes.Count == 0)
            {
                Fail(queued, cycle, "no nodes available to schedule pods");
                return false;
            }
            var requests = PodRequests.Of(pod);
            var state = new CycleState(pod, requests, _snapshot);
            // VolumeBinding: PreFilter before the other plugins' (its failure applies to every node), Filter after theirs.
            var volumes = _volumeBinding.PreFilter(pod);
            if (volumes.Failure is { } volumeFailure)
            {
                Fail(queued, cycle, VolumeBinding.FitMessage(pod, nodes.Count, volumeFailure));
                return false;
            }
            // Room that preemption freed for a nominated pod of equal or higher priority stays reserved for it.
            var (feasible, rejected) = _preemption.Filter(state, volumes.HasClaims ? node => _volumeBinding.Filter(volumes, node.Node) : null);
            if (feasible.Count == 0)
            {
                // PostFilter: DefaultPreemption may evict lower-priority pods and nominate this pod for the node.
                var postFilter = _preemption.PostFilter(state, rejected, _disposing.Token);
                if (postFilter.Work is { } work) Track(work);
                Fail(queued, cycle, FitError.Message(nodes.Count, rejected, postFilter.Message));
                return false;
            }
            var hostNode = _framework.SelectHost(state, feasible).Node;
            var host = hostNode.Metadata.Name;
            _cache.Assume(pod, requests, host);
            _volumeBinding.Reserve(volumes, pod, host);
            Track(BindAsync(queued, hostNode, volumes));
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCycleFailed(_logger, queued.Key, ex);
            _queue.AddBackoff(queued);
            return false;
        }
    }

    private async Task BindAsync(QueuedPod queued, V1Node hostNode, VolumeBindingState volumes)
    {
        var pod = queued.Pod;
        var node = hostNode.Metadata.Name;
        try
        {
            await _volumeBinding.PreBindAsync(volumes, pod, hostNode, _disposing.Token).ConfigureAwait(false);
            await _client.BindAsync(pod.Namespace(), pod.Name(), node, pod.Metadata.Uid, _disposing.Token).ConfigureAwait(false);
            _queue.Done(queued.Key);
            _events.Normal(pod, "Scheduled", $"Successfully assigned {pod.Namespace()}/{pod.Name()} to {node}");
        }
        catch (Exception ex)
        {
            // Forget the assumption (its resources are free again for every waiting pod) and retry after a backoff.
            _cache.Forget(queued.Key);
            _volumeBinding.Unreserve(volumes);
            _queue.MoveAllToActiveOrBackoff();
            if (_disposing.IsCancellationRequested) return;
            LogBindFailed(_logger, queued.Key, node, ex);
            _queue.AddBackoff(queued);
            var message = ex is VolumeBindingException ? ex.Message : $"Binding rejected: {ex.Message}";
            _events.Warning(pod, "FailedScheduling", message);
            await SetScheduledConditionAsync(pod, "SchedulerError", message).ConfigureAwait(false);
        }
        finally
        {
            _bindings.Release();
        }
    }

    private void Fail(QueuedPod queued, long cycle, string message)
    {
        // Requeue before writing the status, so the resulting update finds the pod among the unschedulable ones.
        _queue.AddUnschedulable(queued, cycle);
        LogUnschedulable(_logger, queued.Key, message);
        _events.Warning(queued.Pod, "FailedScheduling", message);
        Track(SetScheduledConditionAsync(queued.Pod, "Unschedulable", message));
    }

    private async Task SetScheduledConditionAsync(V1Pod pod, string reason, string message)
    {
        var current = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (current is { Status: "False" } && current.Reason == reason && current.Message == message) return;
        var transition = current?.Status == "False" ? current.LastTransitionTime : _time.GetUtcNow().UtcDateTime;
        var patch = new V1Pod
        {
            Status = new V1PodStatus
            {
                Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = reason, Message = message, LastTransitionTime = transition }],
            },
        };
        try
        {
            await _client.For<V1Pod>().PatchAsync(pod.Namespace(), pod.Name(), PatchType.StrategicMerge, patch, subresource: "status",
                cancellationToken: _disposing.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiClientException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            LogStatusFailed(_logger, ObjectKey.Of(pod), ex);
        }
    }

    private void Track(Task task)
    {
        _background.TryAdd(task, 0);
        task.ContinueWith(t => _background.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private bool IsPending(V1Pod pod) =>
        string.IsNullOrEmpty(pod.Spec.NodeName) && pod.Metadata.DeletionTimestamp is null &&
        (pod.Spec.SchedulerName ?? "default-scheduler") == _options.SchedulerName &&
        pod.Spec.SchedulingGates is not { Count: > 0 } && pod.Status?.Phase is not ("Succeeded" or "Failed");

    private static bool IsAssigned(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec.NodeName);

    private void OnNodeAdded(V1Node node)
    {
        _cache.SetNode(node);
        _queue.MoveAllToActiveOrBackoff();
    }

    private void OnNodeUpdated(V1Node old, V1Node node)
    {
        _cache.SetNode(node);
        if (old.Spec?.Unschedulable != node.Spec?.Unschedulable || Changed(old.Spec?.Taints, node.Spec?.Taints) ||
            Changed(old.Metadata.Labels, node.Metadata.Labels) || Changed(old.Status?.Allocatable, node.Status?.Allocatable))
        {
            _queue.MoveAllToActiveOrBackoff();
        }
    }

    private void OnNodeDeleted(V1Node node)
    {
        _cache.RemoveNode(node.Metadata.Name);
        // One topology domain fewer can lower the skew topology spreading measures.
        _queue.MoveAllToActiveOrBackoff();
    }

    private static bool Changed(object? a, object? b) => !SemanticEquality.Same(a, b);

    private void OnPodAdded(V1Pod pod)
    {
        if (IsAssigned(pod))
        {
            _cache.SetPod(pod);
            _queue.MoveAllToActiveOrBackoff();
        }
        else if (IsPending(pod) && !_cache.IsAssumed(ObjectKey.Of(pod)))
        {
            _queue.Add(pod);
        }
    }

    private void OnPodUpdated(V1Pod old, V1Pod pod)
    {
        if (IsAssigned(pod))
        {
            _cache.SetPod(pod);
            _queue.Delete(pod);
            // A pod newly bound, or one that finished and freed its node, changes what fits; relabelled, it changes what
            // pod affinity and topology spreading see.
            var finished = pod.Status?.Phase is "Succeeded" or "Failed" && old.Status?.Phase is not ("Succeeded" or "Failed");
            if (!IsAssigned(old) || finished || Changed(old.Metadata.Labels, pod.Metadata.Labels)) _queue.MoveAllToActiveOrBackoff();
            return;
        }
        // A resync repeats the same object; and with our own binding in flight the pod is neither pending nor placed yet.
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion || _cache.IsAssumed(ObjectKey.Of(pod))) return;
        if (IsPending(pod)) _queue.Update(old, pod);
        else _queue.Delete(pod);
    }

    private void OnPodDeleted(V1Pod pod)
    {
        _cache.RemovePod(ObjectKey.Of(pod));
        _queue.Delete(pod);
        if (IsAssigned(pod)) _queue.MoveAllToActiveOrBackoff();
    }

    /// <summary>Stops scheduling, waits for bindings and events in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_background.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _informers.DisposeAsync().ConfigureAwait(false);
        await _events.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
        _bindings.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler {SchedulerName} started")]
    private static partial void LogStarted(ILogger logger, string schedulerName);

    [LoggerMessage(Level = LogLevel.Information, Message = "pod {Pod} is unschedulable: {Message}")]
    private static partial void LogUnschedulable(ILogger logger, string pod, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "scheduling pod {Pod} failed")]
    private static partial void LogCycleFailed(ILogger logger, string pod, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "binding pod {Pod} to {Node} failed")]
    private static partial void LogBindFailed(ILogger logger, string pod, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "updating the PodScheduled condition of {Pod} failed")]
    private static partial void LogStatusFailed(ILogger logger, string pod, Exception exception);
}
