namespace Gantry.Storage.Indexing;

/// <summary>The compare-and-swap rules every store applies, so Memory and SQLite fail in the same way.</summary>
internal static class WriteRules
{
    /// <summary>Returns why a write may not apply to <paramref name="current"/>, or null when it may.</summary>
    public static StoreException? Check(WriteKind kind, string key, StoredValue? current, long expectedRevision) => kind switch
    {
        WriteKind.Create => current is null ? null : new StoreKeyExistsException(key),
        _ when current is null => new StoreKeyNotFoundException(key),
        WriteKind.Delete when expectedRevision == 0 => null,
        _ when current.ModRevision != expectedRevision => new StoreConflictException(key, expectedRevision, current),
        _ => null,
    };

    /// <summary>The event a successful write produces, given the key's previous value.</summary>
    public static StoreEvent ToEvent(WriteKind kind, string key, byte[] value, StoredValue? previous, long revision) => kind switch
    {
        WriteKind.Create => new StoreEvent(StoreEventType.Created, new StoredValue(key, value, revision, revision), null),
        WriteKind.Update => new StoreEvent(StoreEventType.Updated, new StoredValue(key, value, previous!.CreateRevision, revision), previous),
        _ => new StoreEvent(StoreEventType.Deleted, previous! with { ModRevision = revision }, previous),
    };

    /// <summary>Rejects revisions that are compacted or not yet written.</summary>
    public static void CheckReadRevision(long revision, long compacted, long current)
    {
        if (revision != 0 && revision <= compacted)
        {
            throw new StoreCompactedException(revision, compacted);
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThan(revision, current);
    }
}
