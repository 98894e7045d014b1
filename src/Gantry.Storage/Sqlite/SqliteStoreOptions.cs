namespace Gantry.Storage.Sqlite;

/// <summary>Tuning of a <see cref="SqliteStore"/>; the defaults follow k3s's kine.</summary>
public sealed record SqliteStoreOptions
{
    /// <summary>How often history is compacted automatically; <see cref="TimeSpan.Zero"/> turns it off.</summary>
    public TimeSpan CompactInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many of the newest revisions automatic compaction keeps, so watchers can resume.</summary>
    public long CompactRetainRevisions { get; init; } = 1000;

    /// <summary>Events a watcher may lag behind before it is closed with <see cref="StoreWatchOverflowException"/>.</summary>
    public int WatchCapacity { get; init; } = 10_000;

    /// <summary>The most writes committed in one transaction.</summary>
    public int MaxBatchSize { get; init; } = 4096;

    /// <summary>The clock of automatic compaction.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
