using Gantry.Client.Selectors;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using Gantry.Controllers.History;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.DaemonSet;

/// <summary>
/// The DaemonSet controller (Kubernetes' pkg/controller/daemon): one pod on every node the template's node selector,
/// required node affinity and tolerations allow, created with a node-name affinity for the scheduler to bind; pods
/// follow nodes as they come, go and change; templates roll out with RollingUpdate (maxUnavailable or maxSurge) or
/// OnDelete, recorded as ControllerRevisions.
/// </summary>
public sealed class DaemonSetController : IController
{
    /// <summary>Index of pods and revisions by the uid of their controlling DaemonSet.</summary>
    internal const string OwnerIndex = "daemonset-controller-uid";

    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly int _workers;
    private readonly Informer<V1DaemonSet> _sets;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Node> _nodes;
    private readonly EventRecorder _recorder;
    private readonly DaemonSetHistory _history;
    private readonly DaemonPodControl _podControl;
    private readonly DaemonSetStatusWriter _status;
    private readonly ControllerRefClaimer<V1Pod> _adoption;
    private readonly FailedPodBackoff _failedPods;
    private readonly RateLimitingQueue<string> _queue;

    /// <summary>Registers the informers and handlers the controller needs.</summary>
    public DaemonSetController(ControllerContext context, DaemonSetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= new DaemonSetOptions();
        _failedPods = new FailedPodBackoff(options.FailedPodBackoff, options.MaxFailedPodBackoff, context.Time);
        _time = context.Time;
        _loggers = context.Loggers;
        _workers = context.Options.Workers;
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _sets = context.Informers.For<V1DaemonSet>();
        _pods = context.Informers.For<V1Pod>();
        _nodes = context.Informers.For<V1Node>();
        var revisions = context.Informers.For<V1ControllerRevision>();
        _pods.AddIndexer(OwnerIndex, p => OwnerReferences.ControllerUid(p, "DaemonSet"));
        revisions.AddIndexer(OwnerIndex, r => OwnerReferences.ControllerUid(r, "DaemonSet"));
        _recorder = context.Recorder(Name);
        _history = new DaemonSetHistory(context.Client, revisions, _sets);
        _podControl = new DaemonPodControl(context.Client, _pods, _recorder);
        _adoption = new ControllerRefClaimer<V1Pod>(context.Client, _pods, "apps/v1", "DaemonSet");
        _status = new DaemonSetStatusWriter(context.Client, _sets, _time);

        _sets.AddEventHandler(onAdd: Enqueue, onUpdate: (_, ds) => Enqueue(ds), onDelete: Enqueue);
        _pods.AddEventHandler(onAdd: EnqueueOwner, onUpdate: (old, pod) =>
        {
            EnqueueOwner(pod);
            if (OwnerReferences.ControllerOf(old)?.Uid != OwnerReferences.ControllerOf(pod)?.Uid) EnqueueOwner(old);
        }, onDelete: EnqueueOwner);
        revisions.AddEventHandler(onAdd: EnqueueOwner, onUpdate: (_, r) => EnqueueOwner(r), onDelete: EnqueueOwner);
        _nodes.AddEventHandler(onAdd: _ => EnqueueAll(), onUpdate: OnNodeUpdate, onDelete: _ => EnqueueAll());
    }

    /// <inheritdoc />
    public string Name => "daemonset-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var recorder = _recorder;
        using var queue = _queue;
        await new ControllerRunner<string>(Name, _queue, ReconcileAsync, _loggers).RunAsync(_workers, cancellationToken);
    }

    private void Enqueue(V1DaemonSet ds) => _queue.Add(ObjectKey.Of(ds));

    private void EnqueueAll()
    {
        foreach (var ds in _sets.List()) Enqueue(ds);
    }

    private void EnqueueOwner(k8s.IKubernetesObject<V1ObjectMeta> obj)
    {
        switch (OwnerReferences.ControllerOf(obj))
        {
            case { Kind: "DaemonSet" } owner:
                _queue.Add(ObjectKey.Of(obj.Metadata.NamespaceProperty, owner.Name));
                break;
            case null when obj is V1Pod pod:
                // An orphan: every daemon set that could adopt it takes a look.
                foreach (var ds in _sets.List(pod.Metadata.NamespaceProperty))
                    if (LabelSelectors.MatchesNonEmpty(ds.Spec.Selector, pod.Metadata.Labels)) Enqueue(ds);
                break;
        }
    }

    // Only the daemon sets whose verdict about this node changed need a pass (heartbeats change nothing).
    private void OnNodeUpdate(V1Node old, V1Node node)
    {
        foreach (var ds in _sets.List())
            if (NodeEligibility.Evaluate(old, ds) != NodeEligibility.Evaluate(node, ds)) Enqueue(ds);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        if (_sets.Get(ns, name) is not { } ds) return;
        if (LabelSelectors.IsEmpty(ds.Spec.Selector))
        {
            _recorder.Warning(ds, "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.");
            return;
        }
        // Whether its history still exists is unknown while the set is being deleted, so leave it alone.
        if (ds.Metadata.DeletionTimestamp is not null) return;
        var nodes = _nodes.List();
        await _adoption.ClaimAsync(ds, ds.Spec.Selector, _pods.ByIndex(OwnerIndex, ds.Metadata.Uid), _ => true, cancellationToken);
        var (current, old) = await _history.ConstructAsync(ds, cancellationToken);
        var hash = current.Metadata.Labels?.TryGetValue(ControllerRevisionData.RevisionLabel, out var h) == true ? h : "";

        var retryFailed = await ManageAsync(ds, nodes, hash, cancellationToken);
        if (ds.Spec.UpdateStrategy?.Type is null or "RollingUpdate")
        {
            var (delete, create) = DaemonSetRollout.Plan(ds, nodes, NodeToPods(ds), hash, _time.GetUtcNow());
            await _podControl.SyncNodesAsync(ds, delete, create, hash, cancellationToken);
        }
        await _history.CleanupAsync(ds, old, _pods.ByIndex(OwnerIndex, ds.Metadata.Uid), cancellationToken);
        var requeue = await _status.UpdateAsync(ds, nodes, NodeToPods(ds), hash, cancellationToken);
        if (new[] { requeue, retryFailed }.Where(t => t is not null).Min() is { } after) _queue.AddAfter(key, after);
    }

    /// <summary>The set's pods by the node they are for.</summary>
    private Dictionary<string, List<V1Pod>> NodeToPods(V1DaemonSet ds)
    {
        var result = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var pod in _pods.ByIndex(OwnerIndex, ds.Metadata.Uid))
        {
            if (DaemonPods.TargetNode(pod) is not { } node) continue;
            if (!result.TryGetValue(node, out var pods)) result[node] = pods = [];
            pods.Add(pod);
        }
        return result;
    }

    // Creates the missing daemon pods and deletes the ones that must go (Kubernetes' manage and podsShouldBeOnNode);
    // returns when to come back for failed pods still in backoff.
    private async Task<TimeSpan?> ManageAsync(V1DaemonSet ds, IReadOnlyList<V1Node> nodes, string hash, CancellationToken cancellationToken)
    {
        var nodeToPods = NodeToPods(ds);
        var create = new List<string>();
        var delete = new List<V1Pod>();
        TimeSpan? retryFailed = null;
        foreach (var node in nodes)
        {
            var (shouldRun, shouldContinueRunning) = NodeEligibility.Evaluate(node, ds);
            var pods = nodeToPods.GetValueOrDefault(node.Metadata.Name) ?? [];
            if (shouldRun && pods.Count == 0)
                create.Add(node.Metadata.Name);
            else if (shouldContinueRunning)
                retryFailed = Earliest(retryFailed, PruneNode(ds, node, pods, shouldRun, hash, create, delete));
            else
                delete.AddRange(pods.Where(p => p.Metadata.DeletionTimestamp is null));
        }
        // Pods for nodes that no longer exist and that were never bound go at once; bound ones are pod GC's.
        var names = nodes.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        delete.AddRange(nodeToPods.Where(p => !names.Contains(p.Key)).SelectMany(p => p.Value)
            .Where(p => string.IsNullOrEmpty(p.Spec.NodeName) && p.Metadata.DeletionTimestamp is null));
        await _podControl.SyncNodesAsync(ds, delete, create, hash, cancellationToken);
        return retryFailed;
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private TimeSpan? PruneNode(V1DaemonSet ds, V1Node node, List<V1Pod> pods, bool shouldRun, string hash, List<string> create, List<V1Pod> delete)
    {
        TimeSpan? retryFailed = null;
        var running = new List<V1Pod>();
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            switch (pod.Status?.Phase)
            {
                case "Failed" when _failedPods.TryNext($"{ds.Metadata.Uid}/{ds.Status?.ObservedGeneration ?? 0}/{node.Metadata.Name}") is { } wait:
                    retryFailed = Earliest(retryFailed, wait);
                    break;
                case "Failed":
                    _recorder.Warning(ds, "FailedDaemonPod",
                        $"Found failed daemon pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on node {node.Metadata.Name}, will try to kill it");
                    delete.Add(pod);
                    break;
                case "Succeeded":
                    delete.Add(pod);
                    break;
                default:
                    running.Add(pod);
                    break;
            }
        }
        running = DaemonPods.OldestFirst(running);
        if (!DaemonSetRollout.AllowsSurge(ds))
        {
            // Without surge only the oldest pod may stay on a node.
            delete.AddRange(running.Skip(1));
            return retryFailed;
        }
        if (running.Count == 0)
        {
            if (shouldRun) create.Add(node.Metadata.Name);
            return retryFailed;
        }
        // With surge a node keeps the oldest new pod and, while that is not available yet, the oldest ready old pod.
        V1Pod? oldestNew = null, oldestOld = null;
        foreach (var pod in running)
        {
            var isNew = pod.Metadata.Labels?.TryGetValue(ControllerRevisionData.RevisionLabel, out var podHash) == true && podHash == hash;
            if (isNew && oldestNew is null) oldestNew = pod;
            else if (!isNew && oldestOld is null) oldestOld = pod;
            else delete.Add(pod);
        }
        if (oldestNew is not null && oldestOld is not null &&
            (!PodHealth.IsReady(oldestOld) || PodHealth.IsAvailable(oldestNew, ds.Spec.MinReadySeconds ?? 0, _time.GetUtcNow())))
            delete.Add(oldestOld);
        return retryFailed;
    }
}
