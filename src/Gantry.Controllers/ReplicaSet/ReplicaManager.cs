using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// The replica controller Kubernetes runs for both ReplicaSets and ReplicationControllers (replica_set.go): keeps
/// spec.replicas active pods matching the owner's selector, owned through a controller reference. This half wires the
/// informers to the work queue and tracks what the informer has yet to show (expectations); the sync is in
/// ReplicaManager.Sync.cs.
/// </summary>
internal sealed partial class ReplicaManager<TOwner> where TOwner : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ReplicaKind<TOwner> _kind;
    private readonly ControllerContext _context;
    private readonly ReplicaSetOptions _options;
    private readonly Informer<TOwner> _owners;
    private readonly Informer<V1Pod> _pods;
    private readonly IResourceClient<TOwner> _ownerClient;
    private readonly RateLimitingQueue<string> _queue;
    private readonly ControllerExpectations _expectations;
    private readonly EventRecorder _recorder;
    private readonly PodControl _podControl;
    private readonly ILogger _logger;
    private readonly IDisposable[] _registrations;

    /// <summary>Registers the owner and pod handlers on the shared informers.</summary>
    public ReplicaManager(ControllerContext context, ReplicaKind<TOwner> kind, ReplicaSetOptions options)
    {
        _kind = kind;
        _context = context;
        _options = options;
        _owners = context.Informers.For<TOwner>();
        _pods = context.Informers.For<V1Pod>();
        _ownerClient = context.Client.For<TOwner>();
        _queue = new RateLimitingQueue<string>(time: context.Time);
        _expectations = new ControllerExpectations(context.Time, options.ExpectationsTimeout);
        _recorder = context.Recorder(kind.Component);
        _podControl = new PodControl(context.Client, _recorder);
        _logger = context.Loggers.CreateLogger($"Gantry.Controllers.ReplicaSet.{kind.Kind}");
        _registrations =
        [
            _owners.AddEventHandler(onAdd: Enqueue, onUpdate: OnOwnerUpdate, onDelete: OnOwnerDelete),
            _pods.AddEventHandler(onAdd: OnPodAdd, onUpdate: OnPodUpdate, onDelete: OnPodDelete),
        ];
    }

    /// <summary>The controller's name (the events' source component).</summary>
    public string Name => _kind.Component;

    /// <summary>Runs the workers until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await new ControllerRunner<string>(Name, _queue, SyncAsync, _context.Loggers).RunAsync(_context.Options.Workers, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var registration in _registrations) registration.Dispose();
            _queue.Dispose();
            await _recorder.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Enqueue(TOwner owner) => _queue.Add(ObjectKey.Of(owner));

    private void OnOwnerUpdate(TOwner old, TOwner cur)
    {
        // Deleted and recreated under the same name between two watch events: the old one's expectations are void.
        if (old.Metadata.Uid != cur.Metadata.Uid) OnOwnerDelete(old);
        Enqueue(cur);
    }

    private void OnOwnerDelete(TOwner owner)
    {
        var key = ObjectKey.Of(owner);
        _expectations.Delete(key);
        _queue.Add(key);
    }

    private void OnPodAdd(V1Pod pod)
    {
        // After a controller restart a pod may first show up already being deleted: that is no creation to observe.
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            OnPodDelete(pod);
            return;
        }
        if (PodState.ControllerOf(pod) is { } reference)
        {
            if (Resolve(pod.Metadata.NamespaceProperty, reference) is not { } owner) return;
            var key = ObjectKey.Of(owner);
            _expectations.CreationObserved(key);
            _queue.Add(key);
            return;
        }
        // An orphan: wake every owner that might adopt it; no owner waits for its creation.
        foreach (var owner in OwnersSelecting(pod)) Enqueue(owner);
    }

    private void OnPodUpdate(V1Pod old, V1Pod cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion) return;
        var labelsChanged = !SameLabels(old.Metadata.Labels, cur.Metadata.Labels);
        if (cur.Metadata.DeletionTimestamp is not null)
        {
            // A graceful delete started: replace the pod now rather than when it is finally gone.
            OnPodDelete(cur);
            if (labelsChanged) OnPodDelete(old);
            return;
        }
        var curRef = PodState.ControllerOf(cur);
        var oldRef = PodState.ControllerOf(old);
        var refChanged = !SameReference(curRef, oldRef);
        if (refChanged && oldRef is not null && Resolve(old.Metadata.NamespaceProperty, oldRef) is { } previous) Enqueue(previous);
        if (curRef is not null)
        {
            if (Resolve(cur.Metadata.NamespaceProperty, curRef) is not { } owner) return;
            Enqueue(owner);
            // Pods carry no "available" signal: look again once a newly ready pod has been ready for minReadySeconds.
            var minReady = _kind.MinReadySeconds(owner);
            if (!PodState.IsReady(old) && PodState.IsReady(cur) && minReady > 0)
                _queue.AddAfter(ObjectKey.Of(owner), TimeSpan.FromSeconds(minReady + 1));
            return;
        }
        if (labelsChanged || refChanged)
        {
            foreach (var owner in OwnersSelecting(cur)) Enqueue(owner);
        }
    }

    private void OnPodDelete(V1Pod pod)
    {
        if (PodState.ControllerOf(pod) is not { } reference || Resolve(pod.Metadata.NamespaceProperty, reference) is not { } owner) return;
        var key = ObjectKey.Of(owner);
        _expectations.DeletionObserved(key, PodState.Key(pod));
        _queue.Add(key);
    }

    /// <summary>The cached owner a controller reference points to, if it is ours and still the same object (same UID).</summary>
    private TOwner? Resolve(string? ns, V1OwnerReference reference)
    {
        if (reference.Kind != _kind.Kind) return null;
        var owner = _owners.Get(ns, reference.Name);
        return owner is not null && owner.Metadata.Uid == reference.Uid ? owner : null;
    }

    /// <summary>Owners in the pod's namespace whose (non-empty) selector matches its labels.</summary>
    private IEnumerable<TOwner> OwnersSelecting(V1Pod pod)
    {
        if (pod.Metadata.Labels is not { Count: > 0 }) return [];
        return _owners.List(pod.Metadata.NamespaceProperty)
            .Where(o => _kind.Selector(o) is { IsEmpty: false } selector && selector.Matches(pod.Metadata.Labels));
    }

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if (a is null || b is null) return (a?.Count ?? 0) == 0 && (b?.Count ?? 0) == 0;
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private static bool SameReference(V1OwnerReference? a, V1OwnerReference? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Uid == b.Uid && a.Name == b.Name && a.Kind == b.Kind && a.ApiVersion == b.ApiVersion &&
              a.Controller == b.Controller && a.BlockOwnerDeletion == b.BlockOwnerDeletion;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Key}: too few replicas (need {Replicas}), creating {Count}")]
    private static partial void LogCreating(ILogger logger, string kind, string key, int replicas, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Key}: too many replicas (need {Replicas}), deleting {Count}")]
    private static partial void LogDeleting(ILogger logger, string kind, string key, int replicas, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Key}: its selector cannot be evaluated; not syncing it")]
    private static partial void LogBadSelector(ILogger logger, string kind, string key);
}
