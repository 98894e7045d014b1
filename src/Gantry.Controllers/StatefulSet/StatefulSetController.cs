using Gantry.Client.Selectors;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using Gantry.Controllers.History;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.StatefulSet;

/// <summary>
/// The StatefulSet controller (Kubernetes' pkg/controller/statefulset): pods <c>name-0..N-1</c> with stable identity and
/// their own claims, OrderedReady or Parallel management, RollingUpdate with partition or OnDelete, and the template
/// history kept as ControllerRevisions.
/// </summary>
public sealed class StatefulSetController : IController
{
    /// <summary>Index of pods and revisions by the uid of their controlling StatefulSet.</summary>
    internal const string OwnerIndex = "statefulset-controller-uid";

    private readonly IApiClient _client;
    private readonly ILoggerFactory _loggers;
    private readonly int _workers;
    private readonly Informer<V1StatefulSet> _sets;
    private readonly Informer<V1Pod> _pods;
    private readonly EventRecorder _recorder;
    private readonly StatefulSetRevisions _revisions;
    private readonly StatefulSetSync _sync;
    private readonly ControllerRefClaimer<V1Pod> _adoption;
    private readonly RateLimitingQueue<string> _queue;

    /// <summary>Registers the informers and handlers the controller needs.</summary>
    public StatefulSetController(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = context.Client;
        _loggers = context.Loggers;
        _workers = context.Options.Workers;
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _sets = context.Informers.For<V1StatefulSet>();
        _pods = context.Informers.For<V1Pod>();
        var revisions = context.Informers.For<V1ControllerRevision>();
        var claims = context.Informers.For<V1PersistentVolumeClaim>();
        _pods.AddIndexer(OwnerIndex, p => OwnerReferences.ControllerUid(p, "StatefulSet"));
        revisions.AddIndexer(OwnerIndex, r => OwnerReferences.ControllerUid(r, "StatefulSet"));
        _recorder = context.Recorder(Name);
        _revisions = new StatefulSetRevisions(_client, revisions);
        _adoption = new ControllerRefClaimer<V1Pod>(_client, _pods, "apps/v1", "StatefulSet");
        _sync = new StatefulSetSync(new StatefulPodControl(_client, _pods, claims, _recorder), context.Time);

        _sets.AddEventHandler(onAdd: s => _queue.Add(ObjectKey.Of(s)), onUpdate: (_, s) => _queue.Add(ObjectKey.Of(s)),
            onDelete: s => _queue.Add(ObjectKey.Of(s)));
        _pods.AddEventHandler(onAdd: EnqueueOwner, onUpdate: (old, pod) =>
        {
            EnqueueOwner(pod);
            if (OwnerReferences.ControllerOf(old)?.Uid != OwnerReferences.ControllerOf(pod)?.Uid) EnqueueOwner(old);
        }, onDelete: EnqueueOwner);
        revisions.AddEventHandler(onAdd: EnqueueOwner, onUpdate: (_, r) => EnqueueOwner(r), onDelete: EnqueueOwner);
        // A pod waiting for a stale claim to go (whenScaled=Delete) can be created once it is deleted.
        claims.AddEventHandler(onDelete: claim =>
        {
            foreach (var set in _sets.List(claim.Metadata.NamespaceProperty))
                if (LabelSelectors.MatchesNonEmpty(set.Spec.Selector, claim.Metadata.Labels)) _queue.Add(ObjectKey.Of(set));
        });
    }

    /// <inheritdoc />
    public string Name => "statefulset-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var recorder = _recorder;
        using var queue = _queue;
        await new ControllerRunner<string>(Name, _queue, ReconcileAsync, _loggers).RunAsync(_workers, cancellationToken);
    }

    private void EnqueueOwner(k8s.IKubernetesObject<V1ObjectMeta> obj)
    {
        switch (OwnerReferences.ControllerOf(obj))
        {
            case { Kind: "StatefulSet" } owner:
                _queue.Add(ObjectKey.Of(obj.Metadata.NamespaceProperty, owner.Name));
                break;
            case null when obj is V1Pod pod:
                // An orphan: every set that could adopt it takes a look.
                foreach (var set in _sets.List(pod.Metadata.NamespaceProperty))
                    if (LabelSelectors.MatchesNonEmpty(set.Spec.Selector, pod.Metadata.Labels) && StatefulSetPods.IsMemberOf(set, pod)) _queue.Add(ObjectKey.Of(set));
                break;
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        if (_sets.Get(ns, name) is not { } set) return;
        var pods = await _adoption.ClaimAsync(set, set.Spec.Selector, _pods.ByIndex(OwnerIndex, set.Metadata.Uid),
            p => StatefulSetPods.IsMemberOf(set, p), cancellationToken);
        var history = await _revisions.ListAsync(set, cancellationToken);
        var (current, update, collisionCount) = await _revisions.ResolveAsync(set, history, cancellationToken);
        var status = await _sync.SyncAsync(set, current, update, collisionCount, pods, cancellationToken);
        await UpdateStatusAsync(set, status, cancellationToken);
        await _revisions.TruncateAsync(set, _pods.ByIndex(OwnerIndex, set.Metadata.Uid), history, current, update, cancellationToken);
        // Pods that are ready but not yet available for minReadySeconds change the status later without any event.
        if ((set.Spec.MinReadySeconds ?? 0) > 0 && status.ReadyReplicas != status.AvailableReplicas)
            _queue.AddAfter(key, TimeSpan.FromSeconds(set.Spec.MinReadySeconds!.Value));
    }

    private async Task UpdateStatusAsync(V1StatefulSet set, V1StatefulSetStatus status, CancellationToken cancellationToken)
    {
        // A rolling update is complete once every replica runs the update revision and is ready.
        var replicas = set.Spec.Replicas ?? 1;
        if (set.Spec.UpdateStrategy?.Type is null or "RollingUpdate" &&
            status.UpdatedReplicas == replicas && status.ReadyReplicas == replicas && status.Replicas == replicas)
        {
            status.CurrentReplicas = status.UpdatedReplicas;
            status.CurrentRevision = status.UpdateRevision;
        }
        var old = set.Status ?? new V1StatefulSetStatus();
        if (status.ObservedGeneration <= old.ObservedGeneration && status.Replicas == old.Replicas && status.CurrentReplicas == old.CurrentReplicas &&
            status.ReadyReplicas == old.ReadyReplicas && status.UpdatedReplicas == old.UpdatedReplicas &&
            status.CurrentRevision == old.CurrentRevision && status.UpdateRevision == old.UpdateRevision &&
            status.AvailableReplicas == old.AvailableReplicas && status.CollisionCount == old.CollisionCount)
            return;
        var copy = ObjectCopy.DeepCopy(set);
        for (var attempt = 0; ; attempt++)
        {
            copy.Status = status;
            try
            {
                var written = await _client.For<V1StatefulSet>().UpdateStatusAsync(copy, cancellationToken);
                await CacheWait.UntilWrittenAsync(_sets, written, cancellationToken);
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
                copy = await _client.For<V1StatefulSet>().GetAsync(set.Metadata.NamespaceProperty, set.Metadata.Name, cancellationToken);
                if (copy is null) return;
            }
        }
    }
}
