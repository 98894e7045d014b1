using Gantry.Storage.Indexing;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// One queued request to the writer; it is its own completion source to save an allocation per write.
/// Completes only after the transaction holding it committed.
/// </summary>
internal sealed class SqliteOp(WriteKind kind, string key, byte[] value, long expectedRevision, CancellationToken cancellationToken)
    : TaskCompletionSource<StoredValue?>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    /// <summary>A compaction of history up to <paramref name="compactTo"/>, run alone in its transaction.</summary>
    public SqliteOp(long compactTo, CancellationToken cancellationToken)
        : this(WriteKind.Delete, string.Empty, [], 0, cancellationToken)
    {
        CompactTo = compactTo;
    }

    public WriteKind Kind { get; } = kind;
    public string Key { get; } = key;
    public byte[] Value { get; } = value;
    public long ExpectedRevision { get; } = expectedRevision;
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>For a compaction, the revision to compact to; 0 for a write.</summary>
    public long CompactTo { get; }

    /// <summary>The value the write produced, set inside the batch and published after commit.</summary>
    public StoredValue? Result { get; set; }

    /// <summary>Why the write did not apply, set inside the batch.</summary>
    public Exception? Error { get; set; }
}
