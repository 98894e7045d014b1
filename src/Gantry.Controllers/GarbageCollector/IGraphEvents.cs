using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>What the garbage collector hears from its watched resources (metadata only, shared: never change it).</summary>
internal interface IGraphEvents
{
    /// <summary>An object appeared in a cache.</summary>
    void OnAdded(IMonitoredResource resource, V1ObjectMeta meta);

    /// <summary>An object changed.</summary>
    void OnUpdated(IMonitoredResource resource, V1ObjectMeta old, V1ObjectMeta current);

    /// <summary>An object is gone.</summary>
    void OnDeleted(IMonitoredResource resource, V1ObjectMeta last);
}
