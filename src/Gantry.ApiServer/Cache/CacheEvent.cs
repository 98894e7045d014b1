namespace Gantry.ApiServer.Cache;

/// <summary>The watch event types of the Kubernetes API.</summary>
public enum CacheEventType
{
    /// <summary>ADDED.</summary>
    Added,
    /// <summary>MODIFIED.</summary>
    Modified,
    /// <summary>DELETED.</summary>
    Deleted,
}

/// <summary>A change as the watch cache records and fans it out.</summary>
/// <param name="Type">ADDED, MODIFIED or DELETED.</param>
/// <param name="Object">The new version (for DELETED: the last version, with the deletion's revision).</param>
/// <param name="Previous">The version before the change, for selector transitions; null for ADDED.</param>
public sealed record CacheEvent(CacheEventType Type, CachedObject Object, CachedObject? Previous)
{
    /// <summary>The revision of the change.</summary>
    public long Revision => Object.Revision;
}
