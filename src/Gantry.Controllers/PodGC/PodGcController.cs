using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Client.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.PodGC;

/// <summary>
/// Kubernetes' pod garbage collector: every check period it deletes the oldest terminated pods beyond the threshold,
/// force-deletes pods bound to nodes that no longer exist (after a quarantine), terminating pods on out-of-service
/// nodes, and terminating pods that were never scheduled. Pods that have not finished are first marked Failed, since
/// no node agent is left to do it.
/// </summary>
public sealed partial class PodGcController : IController
{
    private const string OutOfServiceTaint = "node.kubernetes.io/out-of-service";
    private static readonly DeleteOptions Force = new() { GracePeriodSeconds = 0 };
    private readonly ControllerContext _context;
    private readonly PodGcOptions _options;
    private readonly int _threshold;
    private readonly ILogger _logger;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Node> _nodes;
    // Missing nodes and when their quarantine ends: timing only, rebuilt (with a fresh quarantine) after a restart.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _quarantine = new(StringComparer.Ordinal);

    /// <summary>Reads pods and nodes from the context's shared informers.</summary>
    public PodGcController(ControllerContext context, PodGcOptions? options = null)
    {
        _context = context;
        _options = options ?? new PodGcOptions();
        _threshold = context.Options.TerminatedPodGcThreshold;
        _logger = context.Loggers.CreateLogger<PodGcController>();
        _pods = context.Informers.For<V1Pod>();
        _nodes = context.Informers.For<V1Node>();
    }

    /// <inheritdoc />
    public string Name => "pod-garbage-collector";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await CollectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A pass that fails (the API unreachable) is simply tried again next period.
                LogPassFailed(_logger, ex);
            }
            await Task.Delay(_options.CheckPeriod, _context.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One pass over the cached pods.</summary>
    private async Task CollectAsync(CancellationToken cancellationToken)
    {
        var pods = _pods.List();
        if (_threshold > 0) await CollectTerminatedAsync(pods, cancellationToken).ConfigureAwait(false);
        await CollectTerminatingOnOutOfServiceNodesAsync(pods, cancellationToken).ConfigureAwait(false);
        await CollectOrphanedAsync(pods, cancellationToken).ConfigureAwait(false);
        await CollectUnscheduledTerminatingAsync(pods, cancellationToken).ConfigureAwait(false);
    }

    private async Task CollectTerminatedAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var terminated = pods.Where(IsTerminated).ToList();
        var excess = terminated.Count - _threshold;
        if (excess <= 0) return;
        LogCollectingTerminated(_logger, excess);
        terminated.Sort(EvictedThenOldest);
        await Task.WhenAll(terminated.Take(excess).Select(p => MarkFailedAndDeleteAsync(p, null, cancellationToken))).ConfigureAwait(false);
    }

    private async Task CollectTerminatingOnOutOfServiceNodesAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var doomed = pods.Where(p => p.Metadata.DeletionTimestamp is not null && !string.IsNullOrEmpty(p.Spec?.NodeName)
            && _nodes.Get(null, p.Spec.NodeName) is { } node && !IsReady(node) && node.Spec?.Taints?.Any(t => t.Key == OutOfServiceTaint) == true).ToList();
        doomed.Sort(EvictedThenOldest);
        foreach (var pod in doomed) await MarkFailedAndDeleteAsync(pod, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task CollectOrphanedAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var now = _context.Time.GetUtcNow();
        foreach (var pod in pods)
        {
            var node = pod.Spec?.NodeName;
            if (!string.IsNullOrEmpty(node) && _nodes.Get(null, node) is null) _quarantine.TryAdd(node, now + _options.QuarantineTime);
        }
        var deletedNodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, until) in _quarantine)
        {
            if (until > now || !_quarantine.TryRemove(node, out _)) continue;
            if (_nodes.Get(null, node) is not null) continue;
            if (await _context.Client.For<V1Node>().GetAsync(null, node, cancellationToken).ConfigureAwait(false) is null) deletedNodes.Add(node);
        }
        if (deletedNodes.Count == 0) return;
        foreach (var pod in pods.Where(p => p.Spec?.NodeName is { } node && deletedNodes.Contains(node)))
        {
            LogOrphaned(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Spec.NodeName);
            var condition = new V1PodCondition
            {
                Type = "DisruptionTarget", Status = "True", Reason = "DeletionByPodGC", Message = "PodGC: node no longer exists",
                LastTransitionTime = now.UtcDateTime,
            };
            await MarkFailedAndDeleteAsync(pod, condition, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CollectUnscheduledTerminatingAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is not null && string.IsNullOrEmpty(p.Spec?.NodeName)))
        {
            LogUnscheduledTerminating(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            await MarkFailedAndDeleteAsync(pod, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Marks an unfinished pod Failed (with the condition, when given) — no node agent will — then deletes it with a
    /// zero grace period. A failure is logged and left to the next pass.
    /// </summary>
    private async Task MarkFailedAndDeleteAsync(V1Pod pod, V1PodCondition? condition, CancellationToken cancellationToken)
    {
        var client = _context.Client.For<V1Pod>();
        try
        {
            LogForceDeleting(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            if (!IsFinished(pod))
            {
                var failed = ObjectCopy.DeepCopy(pod);
                failed.Status ??= new V1PodStatus();
                failed.Status.Phase = "Failed";
                if (condition is not null)
                {
                    failed.Status.Conditions = [.. (failed.Status.Conditions ?? []).Where(c => c.Type != condition.Type), condition];
                }
                await client.UpdateStatusAsync(failed, cancellationToken).ConfigureAwait(false);
            }
            await client.DeleteAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, Force with { PreconditionUid = pod.Metadata.Uid }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ApiClientException ex)
        {
            LogDeleteFailed(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, ex);
        }
    }

    /// <summary>Kubernetes counts every pod that is not Pending, Running or Unknown as terminated.</summary>
    private static bool IsTerminated(V1Pod pod) => pod.Status?.Phase is not ("Pending" or "Running" or "Unknown" or null);

    private static bool IsFinished(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    private static bool IsReady(V1Node node) => node.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true;

    /// <summary>Evicted pods first (they are already replaced), then oldest first, then by name.</summary>
    private static int EvictedThenOldest(V1Pod a, V1Pod b)
    {
        var aEvicted = a.Status is { Phase: "Failed", Reason: "Evicted" };
        var bEvicted = b.Status is { Phase: "Failed", Reason: "Evicted" };
        if (aEvicted != bEvicted) return aEvicted ? -1 : 1;
        var byAge = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        return byAge != 0 ? byAge : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "garbage collecting {Count} terminated pods")]
    private static partial void LogCollectingTerminated(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "found orphaned pod {Namespace}/{Name} assigned to the node {Node}, deleting")]
    private static partial void LogOrphaned(ILogger logger, string @namespace, string name, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "found unscheduled terminating pod {Namespace}/{Name} not assigned to any node, deleting")]
    private static partial void LogUnscheduledTerminating(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "PodGC is force deleting pod {Namespace}/{Name}")]
    private static partial void LogForceDeleting(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pod garbage collection pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PodGC could not delete pod {Namespace}/{Name}")]
    private static partial void LogDeleteFailed(ILogger logger, string @namespace, string name, Exception exception);
}
