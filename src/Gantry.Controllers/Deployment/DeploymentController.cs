using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;

namespace Gantry.Controllers.Deployment;

/// <summary>
/// The Deployment controller (pkg/controller/deployment): owns ReplicaSets named &lt;deployment&gt;-&lt;pod-template-hash&gt;
/// and rolls them over by the RollingUpdate or Recreate strategy, keeping revisions, history, conditions and status.
/// </summary>
public sealed class DeploymentController : IController
{
    internal const string ControllerUidIndex = "deployment-controller/controller-uid";
    private readonly ControllerContext _context;
    private readonly Informer<V1Deployment> _deployments;
    private readonly Informer<V1ReplicaSet> _replicaSets;
    private readonly Informer<V1Pod> _pods;
    private readonly RateLimitingQueue<string> _queue;
    private readonly EventRecorder _recorder;

    /// <summary>Registers the informers and handlers the controller needs.</summary>
    public DeploymentController(ControllerContext context)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _deployments = context.Informers.For<V1Deployment>();
        _replicaSets = context.Informers.For<V1ReplicaSet>();
        _pods = context.Informers.For<V1Pod>();
        AddControllerIndex(_replicaSets);
        AddControllerIndex(_pods);
        _queue = new RateLimitingQueue<string>(time: context.Time);
        _recorder = context.Recorder(Name);
        _deployments.AddEventHandler(d => _queue.Add(ObjectKey.Of(d)), (_, d) => _queue.Add(ObjectKey.Of(d)), d => _queue.Add(ObjectKey.Of(d)));
        _replicaSets.AddEventHandler(OnReplicaSetAdded, OnReplicaSetUpdated, EnqueueOwner);
        _pods.AddEventHandler(onDelete: OnPodDeleted);
    }

    /// <inheritdoc />
    public string Name => "deployment-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await new ControllerRunner<string>("deployment", _queue, SyncAsync, _context.Loggers).RunAsync(_context.Options.Workers, cancellationToken);
        }
        finally
        {
            await _recorder.DisposeAsync();
        }
    }

    private static void AddControllerIndex<T>(Informer<T> informer) where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        // Shared informers: a second controller instance in the same process reuses the index.
        if (informer.Cache.HasIndexer(ControllerUidIndex)) return;
        informer.AddIndexer(ControllerUidIndex, o => Selectors.ControllerOf(o.Metadata) is { } owner ? [owner.Uid] : []);
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var cached = _deployments.Get(ns, name);
        if (cached is null) return;
        var sync = new DeploymentSync(ObjectCopy.DeepCopy(cached), new DeploymentSyncContext
        {
            Client = _context.Client,
            ReplicaSets = _replicaSets,
            Pods = _pods,
            Recorder = _recorder,
            Time = _context.Time,
            RequeueAfter = delay => _queue.AddAfter(key, delay),
        });
        await sync.RunAsync(cancellationToken);
    }

    private void OnReplicaSetAdded(V1ReplicaSet rs)
    {
        if (rs.Metadata.DeletionTimestamp is not null || Selectors.ControllerOf(rs.Metadata) is not null)
        {
            EnqueueOwner(rs);
            return;
        }
        EnqueueMatching(rs);
    }

    private void OnReplicaSetUpdated(V1ReplicaSet old, V1ReplicaSet current)
    {
        if (old.Metadata.ResourceVersion == current.Metadata.ResourceVersion) return;
        var oldOwner = Selectors.ControllerOf(old.Metadata);
        var owner = Selectors.ControllerOf(current.Metadata);
        var ownerChanged = oldOwner?.Uid != owner?.Uid;
        if (ownerChanged && oldOwner is not null) EnqueueOwner(old);
        if (owner is not null)
        {
            EnqueueOwner(current);
            return;
        }
        var labelsChanged = !(old.Metadata.Labels ?? new Dictionary<string, string>()).OrderBy(p => p.Key)
            .SequenceEqual((current.Metadata.Labels ?? new Dictionary<string, string>()).OrderBy(p => p.Key));
        if (labelsChanged || ownerChanged) EnqueueMatching(current);
    }

    private void EnqueueOwner(V1ReplicaSet rs)
    {
        if (Owner(rs.Metadata) is { } d) _queue.Add(ObjectKey.Of(d));
    }

    /// <summary>An orphan may be adopted by any Deployment whose selector matches it.</summary>
    private void EnqueueMatching(V1ReplicaSet rs)
    {
        foreach (var d in _deployments.List(rs.Metadata.NamespaceProperty))
        {
            if (d.Spec?.Selector is null || Selectors.IsEmpty(d.Spec.Selector)) continue;
            if (Selectors.Matches(Selectors.From(d.Spec.Selector), rs.Metadata.Labels)) _queue.Add(ObjectKey.Of(d));
        }
    }

    /// <summary>A Recreate rollout waits for the old pods to be gone; their deletion is its cue.</summary>
    private void OnPodDeleted(V1Pod pod)
    {
        if (Selectors.ControllerOf(pod.Metadata) is not { Kind: "ReplicaSet" } owner) return;
        var rs = _replicaSets.Get(pod.Metadata.NamespaceProperty, owner.Name);
        if (rs is null || rs.Metadata.Uid != owner.Uid) return;
        if (Owner(rs.Metadata) is { } d && d.Spec.Strategy?.Type == "Recreate") _queue.Add(ObjectKey.Of(d));
    }

    private V1Deployment? Owner(V1ObjectMeta meta)
    {
        if (Selectors.ControllerOf(meta) is not { Kind: "Deployment" } owner) return null;
        var d = _deployments.Get(meta.NamespaceProperty, owner.Name);
        return d?.Metadata.Uid == owner.Uid ? d : null;
    }
}
