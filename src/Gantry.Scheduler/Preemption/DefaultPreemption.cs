using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Scheduler.Preemption;

/// <summary>
/// kube-scheduler's DefaultPreemption PostFilter with its API side: when no node fits, evict the fewest lower-priority
/// pods from the best node (DisruptionTarget condition, then delete with the victim's grace period, a "Preempted"
/// event), nominate the preemptor for that node (status.nominatedNodeName) and keep that room for it. The preemptor
/// waits among the unschedulable pods; the victims' deletions bring it back.
/// </summary>
internal sealed partial class DefaultPreemption
{
    private readonly IApiClient _client;
    private readonly EventRecorder _events;
    private readonly string _schedulerName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _requeue;
    private readonly ConcurrentDictionary<string, byte> _preempting = new(StringComparer.Ordinal);
    private Informer<V1PodDisruptionBudget>? _pdbs;

    /// <summary>
    /// Preemption over <paramref name="framework"/>'s filters and <paramref name="cache"/>'s assumed pods;
    /// <paramref name="requeue"/> retries the unschedulable pods after a preemption could not be carried out.
    /// </summary>
    public DefaultPreemption(IApiClient client, SchedulingFramework framework, SchedulerCache cache, EventRecorder events, SchedulerOptions options,
        TimeProvider time, ILogger logger, Action requeue)
    {
        _client = client;
        _events = events;
        _schedulerName = options.SchedulerName;
        _time = time;
        _logger = logger;
        _requeue = requeue;
        Nominator = new Nominator(options.SchedulerName);
        Planner = new PreemptionPlanner(framework, Nominator, cache.IsAssumed, options.Parallelism);
    }

    /// <summary>The pods nominated to nodes.</summary>
    public Nominator Nominator { get; }

    /// <summary>The decision logic.</summary>
    public PreemptionPlanner Planner { get; }

    /// <summary>Follows nominations on the pod informer and watches PodDisruptionBudgets (call before the informers start).</summary>
    public void Watch(SharedInformerFactory informers, Informer<V1Pod> pods)
    {
        _pdbs = informers.For<V1PodDisruptionBudget>();
        pods.AddEventHandler(Nominator.OnPodAdded, Nominator.OnPodUpdated, Nominator.OnPodDeleted);
    }

    /// <summary>
    /// Runs the PreFilters, then filters every node (and <paramref name="extra"/>), counting the room reserved for
    /// nominated pods.
    /// </summary>
    public (List<NodeInfo> Feasible, Dictionary<string, Status> Rejected) Filter(CycleState state, Func<NodeInfo, Status>? extra) =>
        Planner.Filter(state, extra);

    /// <summary>Runs the PostFilter for a pod no node fits; the API calls it starts run in the background.</summary>
    public PostFilterResult PostFilter(CycleState state, IReadOnlyDictionary<string, Status> rejected, CancellationToken cancellationToken)
    {
        var pod = state.Pod;
        var uid = pod.Metadata.Uid;
        var pdbs = _pdbs?.List() ?? [];
        var plan = Planner.Plan(state, rejected, pdbs, _preempting.ContainsKey(uid), _time.GetUtcNow().UtcDateTime);
        if (plan.Chosen is not { } chosen)
        {
            if (!plan.ClearNomination) return new PostFilterResult(plan.Message, null);
            var hadNomination = Nominator.NodeOf(uid) is not null;
            Nominator.Remove(uid);
            var clearing = hadNomination || !string.IsNullOrEmpty(pod.Status?.NominatedNodeName)
                ? ClearNominationAsync(pod, cancellationToken)
                : null;
            return new PostFilterResult(plan.Message, clearing);
        }
        // Reserve the room at once: pods scheduled before the victims are gone must not take it.
        _preempting[uid] = 0;
        Nominator.Nominate(pod, chosen.Node);
        var priority = pod.Spec.Priority ?? 0;
        var outranked = Nominator.On(chosen.Node, p => p.Priority < priority).Select(p => p.Pod).ToList();
        foreach (var other in outranked) Nominator.Remove(other.Metadata.Uid);
        return new PostFilterResult(null, PreemptAsync(pod, chosen, outranked, cancellationToken));
    }

    private async Task PreemptAsync(V1Pod preemptor, Candidate chosen, List<V1Pod> outranked, CancellationToken cancellationToken)
    {
        var uid = preemptor.Metadata.Uid;
        try
        {
            await Task.WhenAll(chosen.Victims.Select(v => PreemptVictimAsync(preemptor, v, chosen.Node, cancellationToken))).ConfigureAwait(false);
            LogPreempted(_logger, ObjectKey.Of(preemptor), chosen.Node, chosen.Victims.Count);
            // Lower-priority pods nominated here may no longer fit: they look for another node.
            foreach (var other in outranked) await SetNominatedNodeAsync(other, null, cancellationToken).ConfigureAwait(false);
            await SetNominatedNodeAsync(preemptor, chosen.Node, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiClientException or HttpRequestException or TimeoutException)
        {
            LogPreemptionFailed(_logger, ObjectKey.Of(preemptor), chosen.Node, ex);
            Nominator.Remove(uid);
            _requeue();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _preempting.TryRemove(uid, out _);
        }
    }

    private async Task ClearNominationAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await SetNominatedNodeAsync(pod, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiClientException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            LogClearFailed(_logger, ObjectKey.Of(pod), ex);
        }
    }

    private async Task PreemptVictimAsync(V1Pod preemptor, V1Pod victim, string node, CancellationToken cancellationToken)
    {
        var pods = _client.For<V1Pod>();
        var message = DisruptionTarget.Message(preemptor.Spec.SchedulerName ?? _schedulerName);
        var current = victim.Status?.Conditions?.FirstOrDefault(c => c.Type == DisruptionTarget.ConditionType);
        if (current is not { Status: "True", Reason: DisruptionTarget.PreemptionReason } || current.Message != message)
        {
            var patch = new V1Pod
            {
                Status = new V1PodStatus
                {
                    Conditions =
                    [
                        new V1PodCondition
                        {
                            Type = DisruptionTarget.ConditionType, Status = "True", Reason = DisruptionTarget.PreemptionReason, Message = message,
                            LastTransitionTime = current?.Status == "True" ? current.LastTransitionTime : _time.GetUtcNow().UtcDateTime,
                        },
                    ],
                },
            };
            try
            {
                await pods.PatchAsync(victim.Namespace(), victim.Name(), PatchType.StrategicMerge, patch, subresource: "status",
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ApiClientException ex) when (ex.IsNotFound)
            {
                return;
            }
        }
        // The victim's own grace period applies; the UID guards against deleting a namesake created meanwhile.
        try
        {
            var deleted = await pods.DeleteAsync(victim.Namespace(), victim.Name(), new DeleteOptions { PreconditionUid = victim.Metadata.Uid },
                cancellationToken).ConfigureAwait(false);
            if (!deleted) return;
        }
        catch (ApiClientException ex) when (ex.IsConflict)
        {
            return;
        }
        _events.Normal(victim, "Preempted", $"Preempted by pod {preemptor.Metadata.Uid} on node {node}");
    }

    /// <summary>Writes (or, with null, clears) status.nominatedNodeName when it differs.</summary>
    private async Task SetNominatedNodeAsync(V1Pod pod, string? node, CancellationToken cancellationToken)
    {
        if ((pod.Status?.NominatedNodeName ?? "") == (node ?? "")) return;
        var patch = new JsonObject { ["status"] = new JsonObject { ["nominatedNodeName"] = node } }.ToJsonString();
        try
        {
            await _client.For<V1Pod>().PatchAsync(pod.Namespace(), pod.Name(), PatchType.Merge, patch, subresource: "status",
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ApiClientException ex) when (ex.IsNotFound)
        {
            // Gone meanwhile: nothing to nominate.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pod {Pod} preempted {Victims} pod(s) on node {Node}")]
    private static partial void LogPreempted(ILogger logger, string pod, string node, int victims);

    [LoggerMessage(Level = LogLevel.Warning, Message = "clearing the nominated node of pod {Pod} failed")]
    private static partial void LogClearFailed(ILogger logger, string pod, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "preemption for pod {Pod} on node {Node} failed")]
    private static partial void LogPreemptionFailed(ILogger logger, string pod, string node, Exception exception);
}
