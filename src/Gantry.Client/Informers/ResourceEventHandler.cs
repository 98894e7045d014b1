namespace Gantry.Client.Informers;

/// <summary>
/// Callbacks of an informer, run one at a time on the informer's thread in event order: keep them quick (enqueue a key).
/// OnDelete gets the last state: the DELETED event's object, or, when a relist finds an object gone (a missed delete,
/// the tombstone case), the last state the cache had.
/// </summary>
public sealed class ResourceEventHandler<T>
{
    /// <summary>An object appeared (including the initial list).</summary>
    public Action<T>? OnAdd { get; init; }

    /// <summary>An object changed (old, new); also called with old == new state on resync and relist.</summary>
    public Action<T, T>? OnUpdate { get; init; }

    /// <summary>An object is gone; its final known state.</summary>
    public Action<T>? OnDelete { get; init; }
}
