using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.NodeLifecycle;

/// <summary>
/// Kubernetes' node lifecycle controller in taint-based eviction mode. Every NodeMonitorPeriod it checks each node's
/// heartbeats (the Ready condition's lastHeartbeatTime and the node's Lease in kube-node-lease); a node silent for
/// NodeMonitorGracePeriod gets its Ready, MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown. Nodes
/// whose Ready is False or Unknown get the not-ready or unreachable NoExecute taint (removed when Ready again) and their
/// pods are marked not ready. Node conditions and spec.unschedulable are mirrored as NoSchedule taints. When no node at
/// all is Ready the controller assumes it, not the nodes, is cut off and taints nothing (upstream's full disruption mode).
/// Evicting the pods of tainted nodes is the <see cref="TaintEvictionController"/>'s job.
/// </summary>
public sealed partial class NodeLifecycleController : IController
{
    private const string LeaseNamespace = "kube-node-lease";
    private const string DisruptionExclusionLabel = "node.kubernetes.io/exclude-disruption";
    private static readonly TimeSpan RetrySleep = TimeSpan.FromMilliseconds(20);
    private readonly ControllerContext _context;
    private readonly NodeLifecycleOptions _options;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1Lease> _leases;
    private readonly Informer<V1Pod> _pods;
    private readonly RateLimitingQueue<string> _nodeQueue;
    private readonly RateLimitingQueue<string> _podQueue;
    private readonly EventRecorder _recorder;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, NodeHealth> _health = new(StringComparer.Ordinal);
    // Touched by the monitor loop only.
    private readonly Dictionary<string, V1Node> _known = new(StringComparer.Ordinal);
    private readonly HashSet<string> _markPodsRetry = new(StringComparer.Ordinal);
    private bool _fullDisruption;

    /// <summary>Registers the node, lease and pod informers and their handlers.</summary>
    public NodeLifecycleController(ControllerContext context, NodeLifecycleOptions? options = null)
    {
        _context = context;
        _options = options ?? new NodeLifecycleOptions();
        _logger = context.Loggers.CreateLogger<NodeLifecycleController>();
        _recorder = context.Recorder("node-controller");
        _nodeQueue = new RateLimitingQueue<string>(time: context.Time);
        _podQueue = new RateLimitingQueue<string>(time: context.Time);
        _nodes = context.Informers.For<V1Node>();
        _leases = context.Informers.For<V1Lease>(new InformerOptions { Namespace = LeaseNamespace });
        _pods = context.Informers.For<V1Pod>();
        PodsByNode.EnsureIndex(_pods);
        _nodes.AddEventHandler(onAdd: n => _nodeQueue.Add(n.Name()), onUpdate: (_, n) => _nodeQueue.Add(n.Name()));
        _pods.AddEventHandler(onAdd: p => PodUpdated(null, p), onUpdate: PodUpdated);
    }

    /// <inheritdoc />
    public string Name => "node-lifecycle-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var workers = _context.Options.Workers;
        await Task.WhenAll(
            new ControllerRunner<string>("node-lifecycle-nodes", _nodeQueue, SyncNodeAsync, _context.Loggers).RunAsync(workers, cancellationToken),
            new ControllerRunner<string>("node-lifecycle-pods", _podQueue, ProcessPodAsync, _context.Loggers).RunAsync(workers, cancellationToken),
            MonitorLoopAsync(cancellationToken));
    }

    private void PodUpdated(V1Pod? old, V1Pod pod)
    {
        // Only a pod newly assigned to a node needs a look: the monitor pass handles the node's existing pods.
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName) && pod.Spec.NodeName != old?.Spec?.NodeName) _podQueue.Add(ObjectKey.Of(pod));
    }

    private async Task MonitorLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await MonitorNodeHealthAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogMonitorFailed(_logger, ex);
            }
            try { await Task.Delay(_context.Options.NodeMonitorPeriod, _context.Time, cancellationToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One pass over all nodes (upstream's monitorNodeHealth).</summary>
    private async Task MonitorNodeHealthAsync(CancellationToken cancellationToken)
    {
        var nodes = _nodes.List();
        await ClassifyNodesAsync(nodes, cancellationToken);
        var observed = new List<(V1Node Node, string ObservedReady, V1NodeCondition? CurrentReady)>();
        foreach (var cached in nodes)
        {
            var result = await UpdateNodeHealthWithRetriesAsync(cached, cancellationToken);
            if (result is { } r) observed.Add(r);
        }
        await HandleDisruptionAsync(observed, cancellationToken);
        foreach (var (node, observedReady, currentReady) in observed)
        {
            if (currentReady is null) continue;
            if (!_fullDisruption) await ProcessTaintBasedEvictionAsync(node, observedReady, cancellationToken);
            var becameNotReady = currentReady.Status != "True" && observedReady == "True";
            if (becameNotReady) _recorder.Normal(node, "NodeNotReady", $"Node {node.Name()} status is now: NodeNotReady");
            if (becameNotReady || (_markPodsRetry.Contains(node.Name()) && observedReady != "True"))
            {
                try
                {
                    await MarkPodsNotReadyAsync(PodsByNode.On(_pods, node.Name()), node.Name(), cancellationToken);
                }
                catch (Exception ex) when (ex is AggregateException or HttpRequestException)
                {
                    LogMarkPodsFailed(_logger, node.Name(), ex);
                    _markPodsRetry.Add(node.Name());
                    continue;
                }
            }
            _markPodsRetry.Remove(node.Name());
        }
    }

    private async Task ClassifyNodesAsync(IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken)
    {
        var current = nodes.Select(n => n.Name()).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _known.Keys.Where(k => !current.Contains(k)).ToList())
        {
            _recorder.Normal(_known[gone], "RemovingNode", $"Removing Node {gone} from Controller");
            _known.Remove(gone);
            _health.TryRemove(gone, out _);
            _markPodsRetry.Remove(gone);
        }
        foreach (var node in nodes.Where(n => !_known.ContainsKey(n.Name())))
        {
            _recorder.Normal(node, "RegisteredNode", $"Registered Node {node.Name()} in Controller");
            _known[node.Name()] = node;
            // Upstream clears the NoExecute taints of every newly observed node; the next passes put them back if deserved.
            await MarkNodeAsReachableAsync(node, cancellationToken);
        }
    }

    private async Task<(V1Node, string, V1NodeCondition?)?> UpdateNodeHealthWithRetriesAsync(V1Node cached, CancellationToken cancellationToken)
    {
        var node = ObjectCopy.DeepCopy(cached);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (observed, current) = await TryUpdateNodeHealthAsync(node, cancellationToken);
                return (node, observed, current);
            }
            catch (Exception ex) when (ex is ApiClientException or HttpRequestException)
            {
                if (attempt >= 5)
                {
                    LogHealthUpdateFailed(_logger, cached.Name(), ex);
                    return null;
                }
            }
            await Task.Delay(RetrySleep, _context.Time, cancellationToken);
            var fresh = await _context.Client.For<V1Node>().GetAsync(null, cached.Name(), cancellationToken);
            if (fresh is null) return null;
            node = fresh;
        }
    }

    /// <summary>Cluster-wide disruption: when no node is Ready, stop tainting and lift the NoExecute taints.</summary>
    private async Task HandleDisruptionAsync(List<(V1Node Node, string ObservedReady, V1NodeCondition? CurrentReady)> observed,
        CancellationToken cancellationToken)
    {
        var considered = observed.Where(o => o.Node.Metadata.Labels?.ContainsKey(DisruptionExclusionLabel) != true).ToList();
        if (considered.Count == 0) return;
        var allDisrupted = considered.All(o => o.CurrentReady?.Status != "True");
        if (allDisrupted && !_fullDisruption)
        {
            LogEnteringDisruption(_logger);
            _fullDisruption = true;
            foreach (var (node, _, _) in observed) await MarkNodeAsReachableAsync(node, cancellationToken);
        }
        else if (!allDisrupted && _fullDisruption)
        {
            LogExitingDisruption(_logger);
            _fullDisruption = false;
            // Nodes get a fresh grace period: their silence was most likely ours.
            var now = _context.Time.GetUtcNow();
            foreach (var (name, health) in _health) _health[name] = health with { ProbeTimestamp = now, ReadyTransitionTimestamp = now };
        }
    }

    private async Task ProcessTaintBasedEvictionAsync(V1Node node, string observedReady, CancellationToken cancellationToken)
    {
        var now = _context.Time.GetUtcNow();
        switch (observedReady)
        {
            case "False" when !NodeTaints.Has(node, NodeTaints.NotReadyNoExecute) || NodeTaints.Has(node, NodeTaints.UnreachableNoExecute):
                await SwapTaintsAsync(node.Name(), [NodeTaints.NotReadyNoExecute], [NodeTaints.UnreachableNoExecute], now, cancellationToken);
                break;
            case "Unknown" when !NodeTaints.Has(node, NodeTaints.UnreachableNoExecute) || NodeTaints.Has(node, NodeTaints.NotReadyNoExecute):
                await SwapTaintsAsync(node.Name(), [NodeTaints.UnreachableNoExecute], [NodeTaints.NotReadyNoExecute], now, cancellationToken);
                break;
            case "True":
                await MarkNodeAsReachableAsync(node, cancellationToken);
                break;
        }
    }

    private async Task MarkNodeAsReachableAsync(V1Node node, CancellationToken cancellationToken)
    {
        if (!NodeTaints.Has(node, NodeTaints.UnreachableNoExecute) && !NodeTaints.Has(node, NodeTaints.NotReadyNoExecute)) return;
        LogNodeHealthy(_logger, node.Name());
        await SwapTaintsAsync(node.Name(), [], [NodeTaints.UnreachableNoExecute, NodeTaints.NotReadyNoExecute], _context.Time.GetUtcNow(), cancellationToken);
    }

    /// <summary>A taint swap of the monitor pass: a failure is logged and retried on the next pass, not fatal to this one.</summary>
    private async Task SwapTaintsAsync(string node, IReadOnlyList<V1Taint> add, IReadOnlyList<V1Taint> remove, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        try
        {
            await NodeTaints.SwapAsync(_context.Client, node, add, remove, now, cancellationToken);
        }
        catch (Exception ex) when (ex is ApiClientException or HttpRequestException)
        {
            LogTaintSwapFailed(_logger, node, ex);
        }
    }

    /// <summary>
    /// Mirrors node conditions and spec.unschedulable as NoSchedule taints (upstream's doNoScheduleTaintingPass) and
    /// keeps the beta OS/arch labels in step with the stable ones.
    /// </summary>
    private async Task SyncNodeAsync(string name, CancellationToken cancellationToken)
    {
        var node = _nodes.Get(null, name);
        if (node is null) return;
        if (NodeLabels.ToReconcile(node) is { Count: > 0 } labels)
            await _context.Client.For<V1Node>().PatchAsync(null, name, PatchType.Merge, new { metadata = new { labels } }, cancellationToken: cancellationToken);
        var (wanted, present) = NodeTaints.NoScheduleTaints(node);
        var add = wanted.Where(w => !present.Any(p => p.Key == w.Key && p.Effect == w.Effect)).ToList();
        var remove = present.Where(p => !wanted.Any(w => w.Key == p.Key && w.Effect == p.Effect)).ToList();
        if (add.Count == 0 && remove.Count == 0) return;
        await NodeTaints.SwapAsync(_context.Client, name, add, remove, _context.Time.GetUtcNow(), cancellationToken);
    }

    /// <summary>A pod assigned to a node that is not Ready is marked not ready at once (upstream's processPod).</summary>
    private async Task ProcessPodAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var pod = _pods.Get(ns, name);
        if (pod?.Spec?.NodeName is not { Length: > 0 } nodeName) return;
        if (!_health.TryGetValue(nodeName, out var health)) return;
        if (_nodes.Get(null, nodeName) is null) throw new InvalidOperationException($"node {nodeName} is not in the cache yet");
        if (!health.HasReady || health.ReadyStatus == "True") return;
        await MarkPodsNotReadyAsync([pod], nodeName, cancellationToken);
    }

    /// <summary>Sets the Ready condition of the node's pods to False (upstream's MarkPodsNotReady).</summary>
    private async Task MarkPodsNotReadyAsync(IReadOnlyList<V1Pod> pods, string nodeName, CancellationToken cancellationToken)
    {
        var errors = new List<Exception>();
        foreach (var cached in pods)
        {
            if (cached.Spec?.NodeName != nodeName) continue;
            var ready = cached.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            if (ready is null || ready.Status == "False") continue;
            var pod = ObjectCopy.DeepCopy(cached);
            var condition = pod.Status.Conditions.First(c => c.Type == "Ready");
            condition.Status = "False";
            condition.LastTransitionTime = _context.Time.GetUtcNow().UtcDateTime;
            try
            {
                await _context.Client.For<V1Pod>().UpdateStatusAsync(pod, cancellationToken);
                _recorder.Warning(pod, "NodeNotReady", "Node is not ready");
            }
            catch (ApiClientException ex) when (ex.IsNotFound)
            {
            }
            catch (ApiClientException ex)
            {
                errors.Add(ex);
            }
        }
        if (errors.Count > 0) throw new AggregateException($"marking pods of node {nodeName} not ready failed", errors);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "monitoring node health failed")]
    private static partial void LogMonitorFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "updating the health of node {Node} failed; no pods will be evicted for now")]
    private static partial void LogHealthUpdateFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "marking the pods of node {Node} not ready failed; retrying next pass")]
    private static partial void LogMarkPodsFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "changing the taints of node {Node} failed; retrying next pass")]
    private static partial void LogTaintSwapFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} is healthy again, removing its NoExecute taints")]
    private static partial void LogNodeHealthy(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no node is Ready: entering full disruption mode, no taint-based evictions")]
    private static partial void LogEnteringDisruption(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "some nodes are Ready again: leaving full disruption mode")]
    private static partial void LogExitingDisruption(ILogger logger);
}
