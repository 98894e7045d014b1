using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>A resource the garbage collector watches: its shared informer's cache, read as metadata, plus API access.</summary>
internal interface IMonitoredResource
{
    /// <summary>API access to the resource.</summary>
    IResourceAccess Access { get; }

    /// <summary>The cached metadata of one object, or null.</summary>
    V1ObjectMeta? GetCached(string? ns, string name);

    /// <summary>The cached metadata of every object with an ownerReference to <paramref name="ownerUid"/>.</summary>
    IReadOnlyList<V1ObjectMeta> Dependents(string ownerUid);
}
