using System.Threading.Channels;
using Gantry.Storage.Indexing;
using Gantry.Storage.Watching;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// The default <see cref="IStore"/>: one SQLite file in WAL mode with <c>synchronous=FULL</c>, laid out like
/// k3s's kine (revision = row id). Writes go through a single group-committing writer and are acknowledged
/// once durable; reads at the newest revision come from an in-memory index of live keys.
/// </summary>
public sealed class SqliteStore : IStore
{
    private const long CompactionChunk = 10_000;

    private readonly string _readerConnectionString;
    private readonly SqliteConnection _connection;
    private readonly LiveIndex _index;
    private readonly WatchHub _hub;
    private readonly SqliteWriter _writer;
    private readonly SqliteHistory _history;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Task _compaction;
    private int _disposed;

    private SqliteStore(SqliteConnection connection, string readerConnectionString, LiveIndex index, long revision, long compacted, SqliteStoreOptions options)
    {
        _connection = connection;
        _readerConnectionString = readerConnectionString;
        _index = index;
        _hub = new WatchHub(revision, options.WatchCapacity);
        _writer = new SqliteWriter(connection, index, _hub, revision, compacted, options.MaxBatchSize);
        _history = new SqliteHistory(readerConnectionString, index, () => _writer.CompactedRevision);
        _compaction = options.CompactInterval > TimeSpan.Zero
            ? CompactPeriodicallyAsync(options, _lifetime.Token)
            : Task.CompletedTask;
    }

    /// <summary>Opens (creating when missing) the store file at <paramref name="path"/> and loads its index.</summary>
    public static Task<SqliteStore> OpenAsync(string path, SqliteStoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WatchCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.CompactRetainRevisions);
        cancellationToken.ThrowIfCancellationRequested();
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }
        var (writer, reader) = SqliteSchema.ConnectionStrings(path);
        var connection = SqliteSchema.OpenWriter(writer);
        try
        {
            var (revision, compacted) = SqliteSchema.LoadRevisions(connection);
            var index = new LiveIndex();
            SqliteSchema.LoadIndex(connection, index, revision);
            return Task.FromResult(new SqliteStore(connection, reader, index, revision, compacted, options));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public long CurrentRevision => _index.Revision;

    /// <inheritdoc />
    public long CompactedRevision => _writer.CompactedRevision;

    /// <summary>Committed write transactions since open; far fewer than writes when group commit works.</summary>
    internal long Commits => _writer.Commits;

    /// <inheritdoc />
    public ValueTask<StoredValue?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_index.Get(key));

    /// <inheritdoc />
    public ValueTask<long> CountAsync(string prefix, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_index.Count(prefix));

    /// <inheritdoc />
    /// <remarks>A revision above <see cref="CurrentRevision"/> throws <see cref="ArgumentOutOfRangeException"/>.</remarks>
    public ValueTask<ListResult> ListAsync(string prefix, ListRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(request);
        WriteRules.CheckReadRevision(request.Revision, CompactedRevision, CurrentRevision);
        if (_index.List(prefix, request, request.Revision) is { } newest)
        {
            return ValueTask.FromResult(newest);
        }
        return new ValueTask<ListResult>(_history.ListAsync(prefix, request, cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<StoredValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteKind.Create, key, value.ToArray(), 0, cancellationToken);

    /// <inheritdoc />
    public ValueTask<StoredValue> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteKind.Update, key, value.ToArray(), expectedRevision, cancellationToken);

    /// <inheritdoc />
    public ValueTask<StoredValue> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteKind.Delete, key, [], expectedRevision, cancellationToken);

    /// <inheritdoc />
    public ChannelReader<StoreEvent> Watch(string prefix, long afterRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var compacted = CompactedRevision;
        if (afterRevision < compacted)
        {
            throw new StoreCompactedException(afterRevision, compacted);
        }
        return _hub.Watch(prefix, afterRevision, _history.ReplayAsync, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Runs through the writer in chunks, so writes keep flowing during a large compaction.</remarks>
    public async ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(revision, CurrentRevision);
        for (var to = Math.Min(revision, CompactedRevision + CompactionChunk); to > CompactedRevision; to = Math.Min(revision, CompactedRevision + CompactionChunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _writer.SubmitAsync(new SqliteOp(to, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _compaction.ConfigureAwait(false);
        await _writer.StopAsync().ConfigureAwait(false);
        _hub.CloseAll();
        _writer.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
        // Pooled readers would keep the files open after the store is gone (and block deleting them).
        using (var reader = new SqliteConnection(_readerConnectionString))
        {
            SqliteConnection.ClearPool(reader);
        }
        _lifetime.Dispose();
    }

    // Not async: the queued op is itself the task the caller awaits (a write always has a result), with no state machine
    // per write around it.
    private ValueTask<StoredValue> WriteAsync(WriteKind kind, string key, byte[] value, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<StoredValue>(cancellationToken);
        return new ValueTask<StoredValue>(_writer.SubmitAsync(new SqliteOp(kind, key, value, expectedRevision, cancellationToken))!);
    }

    private async Task CompactPeriodicallyAsync(SqliteStoreOptions options, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.CompactInterval, options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var target = CurrentRevision - options.CompactRetainRevisions;
                if (target <= CompactedRevision)
                {
                    continue;
                }
                try
                {
                    await CompactAsync(target, cancellationToken).ConfigureAwait(false);
                }
                catch (SqliteException)
                {
                    // A failed compaction deleted nothing; the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
