using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.NodeLifecycle;

/// <summary>
/// Kubernetes' NoExecute taint manager (taint-eviction-controller): a pod on a node with NoExecute taints it does not
/// all tolerate is deleted at once; one tolerating them with tolerationSeconds is deleted when the shortest runs out,
/// counted from when this controller first saw it must go (recomputed whenever taints or tolerations change, cancelled
/// when the taints go). Deleted pods first get the DisruptionTarget condition (DeletionByTaintManager).
/// </summary>
public sealed partial class TaintEvictionController : IController
{
    private const string EventReason = "TaintManagerEviction";
    private readonly ControllerContext _context;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1Pod> _pods;
    private readonly RateLimitingQueue<string> _queue;
    private readonly EventRecorder _recorder;
    private readonly ILogger _logger;
    // When each pod's eviction was first scheduled (upstream keeps the same in its timed queue).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _scheduled = new(StringComparer.Ordinal);

    /// <summary>Registers the node and pod informers and their handlers.</summary>
    public TaintEvictionController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<TaintEvictionController>();
        _recorder = context.Recorder("taint-eviction-controller");
        _queue = new RateLimitingQueue<string>(time: context.Time);
        _nodes = context.Informers.For<V1Node>();
        _pods = context.Informers.For<V1Pod>();
        PodsByNode.EnsureIndex(_pods);
        _nodes.AddEventHandler(
            onAdd: n => { if (NoExecuteTaints(n).Count > 0) EnqueuePodsOf(n); },
            onUpdate: (old, n) => { if (!SameTaints(NoExecuteTaints(old), NoExecuteTaints(n))) EnqueuePodsOf(n); },
            onDelete: EnqueuePodsOf);
        _pods.AddEventHandler(
            onAdd: p => { if (!string.IsNullOrEmpty(p.Spec?.NodeName)) _queue.Add(ObjectKey.Of(p)); },
            onUpdate: (old, p) =>
            {
                if (old.Spec?.NodeName != p.Spec?.NodeName || !SameTolerations(old.Spec?.Tolerations, p.Spec?.Tolerations)) _queue.Add(ObjectKey.Of(p));
            },
            onDelete: p => _queue.Add(ObjectKey.Of(p)));
    }

    /// <inheritdoc />
    public string Name => "taint-eviction-controller";

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) =>
        new ControllerRunner<string>(Name, _queue, ReconcileAsync, _context.Loggers).RunAsync(_context.Options.Workers, cancellationToken);

    private void EnqueuePodsOf(V1Node node)
    {
        foreach (var pod in PodsByNode.On(_pods, node.Name())) _queue.Add(ObjectKey.Of(pod));
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var pod = _pods.Get(ns, name);
        // Gone, unassigned or already on its way out: nothing to evict.
        if (pod?.Spec?.NodeName is not { Length: > 0 } nodeName || pod.Metadata.DeletionTimestamp is not null)
        {
            Cancel(key, pod, ns, name);
            return;
        }
        var taints = _nodes.Get(null, nodeName) is { } node ? NoExecuteTaints(node) : [];
        if (taints.Count == 0)
        {
            Cancel(key, pod, ns, name);
            return;
        }
        var (allTolerated, used) = Tolerations.Matching(taints, pod.Spec.Tolerations);
        if (!allTolerated)
        {
            LogNotTolerated(_logger, key, nodeName);
            Cancel(key, pod, ns, name);
            await EvictAsync(pod, cancellationToken);
            return;
        }
        if (Tolerations.MinTolerationTime(used) is not { } tolerated)
        {
            Cancel(key, pod, ns, name);
            return;
        }
        var now = _context.Time.GetUtcNow();
        var due = _scheduled.GetOrAdd(key, now) + tolerated;
        if (due <= now)
        {
            await EvictAsync(pod, cancellationToken);
            _scheduled.TryRemove(key, out _);
            return;
        }
        _queue.AddAfter(key, due - now);
    }

    private void Cancel(string key, V1Pod? pod, string? ns, string name)
    {
        if (!_scheduled.TryRemove(key, out _)) return;
        var subject = pod ?? new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name } };
        _recorder.Normal(subject, EventReason, $"Cancelling deletion of Pod {key}");
    }

    /// <summary>Marks the pod with DisruptionTarget, then deletes it (upstream's addConditionAndDeletePod).</summary>
    private async Task EvictAsync(V1Pod cached, CancellationToken cancellationToken)
    {
        var pods = _context.Client.For<V1Pod>();
        var pod = await pods.GetAsync(cached.Namespace(), cached.Name(), cancellationToken);
        if (pod is null || pod.Metadata.Uid != cached.Metadata.Uid || pod.Metadata.DeletionTimestamp is not null) return;
        _recorder.Normal(pod, EventReason, $"Marking for deletion Pod {ObjectKey.Of(pod)}");
        pod.Status ??= new V1PodStatus();
        var conditions = pod.Status.Conditions?.ToList() ?? [];
        var existing = conditions.FirstOrDefault(c => c.Type == "DisruptionTarget");
        if (existing is not { Status: "True", Reason: "DeletionByTaintManager" })
        {
            conditions.RemoveAll(c => c.Type == "DisruptionTarget");
            conditions.Add(new V1PodCondition
            {
                Type = "DisruptionTarget",
                Status = "True",
                Reason = "DeletionByTaintManager",
                Message = "Taint manager: deleting due to NoExecute taint",
                LastTransitionTime = _context.Time.GetUtcNow().UtcDateTime,
            });
            pod.Status.Conditions = conditions;
            await pods.UpdateStatusAsync(pod, cancellationToken);
        }
        await pods.DeleteAsync(pod.Namespace(), pod.Name(), new DeleteOptions { PreconditionUid = pod.Metadata.Uid }, cancellationToken);
    }

    private static List<V1Taint> NoExecuteTaints(V1Node node) => node.Spec?.Taints?.Where(t => t.Effect == "NoExecute").ToList() ?? [];

    private static bool SameTaints(List<V1Taint> a, List<V1Taint> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Key == p.Second.Key && p.First.Value == p.Second.Value && p.First.Effect == p.Second.Effect);

    private static bool SameTolerations(IList<V1Toleration>? a, IList<V1Toleration>? b)
    {
        a ??= [];
        b ??= [];
        return a.Count == b.Count && a.Zip(b).All(p => p.First.Key == p.Second.Key && p.First.OperatorProperty == p.Second.OperatorProperty
            && p.First.Value == p.Second.Value && p.First.Effect == p.Second.Effect && p.First.TolerationSeconds == p.Second.TolerationSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pod {Pod} does not tolerate the NoExecute taints of node {Node}: deleting it")]
    private static partial void LogNotTolerated(ILogger logger, string pod, string node);
}
