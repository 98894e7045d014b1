namespace Gantry.Storage;

/// <summary>Base of the store's expected failures (conflicts, missing keys, compaction).</summary>
public abstract class StoreException(string message) : Exception(message);

/// <summary>A create found the key already present.</summary>
public sealed class StoreKeyExistsException(string key) : StoreException($"key {key} already exists")
{
    /// <summary>The key.</summary>
    public string Key { get; } = key;
}

/// <summary>An update or delete found no such key.</summary>
public sealed class StoreKeyNotFoundException(string key) : StoreException($"key {key} not found")
{
    /// <summary>The key.</summary>
    public string Key { get; } = key;
}

/// <summary>A compare-and-swap found a different revision than expected.</summary>
public sealed class StoreConflictException(string key, long expected, StoredValue? current)
    : StoreException($"key {key} has revision {current?.ModRevision ?? 0}, expected {expected}")
{
    /// <summary>The key.</summary>
    public string Key { get; } = key;
    /// <summary>The current value, so callers can retry without another read.</summary>
    public StoredValue? Current { get; } = current;
}

/// <summary>The requested revision is older than the compacted revision (Kubernetes answers 410 Gone).</summary>
public sealed class StoreCompactedException(long requested, long compacted)
    : StoreException($"revision {requested} has been compacted (oldest available {compacted + 1})")
{
    /// <summary>The revision that was asked for.</summary>
    public long Requested { get; } = requested;
    /// <summary>The compacted revision.</summary>
    public long Compacted { get; } = compacted;
}

/// <summary>A watcher fell too far behind and was dropped; it must relist.</summary>
public sealed class StoreWatchOverflowException() : StoreException("watcher fell behind and was closed");
