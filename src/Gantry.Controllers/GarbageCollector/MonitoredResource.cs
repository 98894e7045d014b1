using Gantry.Client.Informers;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>
/// A watched resource over the process's shared informer of <typeparamref name="T"/>, indexed by owner uid, feeding
/// the garbage collector's handlers with metadata.
/// </summary>
internal sealed class MonitoredResource<T> : IMonitoredResource where T : class, IKubernetesObject<V1ObjectMeta>
{
    private const string OwnerIndex = "garbagecollector/owner-uid";
    private readonly Informer<T> _informer;

    public MonitoredResource(ControllerContext context, IResourceAccess access, IGraphEvents events)
    {
        Access = access;
        _informer = context.Informers.For<T>();
        if (!_informer.Cache.HasIndexer(OwnerIndex))
            _informer.AddIndexer(OwnerIndex, o => o.Metadata?.OwnerReferences?.Select(r => r.Uid) ?? []);
        _informer.AddEventHandler(
            onAdd: o => events.OnAdded(this, o.Metadata),
            onUpdate: (old, o) => events.OnUpdated(this, old.Metadata, o.Metadata),
            onDelete: o => events.OnDeleted(this, o.Metadata));
    }

    public IResourceAccess Access { get; }

    public V1ObjectMeta? GetCached(string? ns, string name) => _informer.Get(ns, name)?.Metadata;

    public IReadOnlyList<V1ObjectMeta> Dependents(string ownerUid) => [.. _informer.ByIndex(OwnerIndex, ownerUid).Select(o => o.Metadata)];
}
