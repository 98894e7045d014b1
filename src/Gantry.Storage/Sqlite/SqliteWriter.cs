using System.Threading.Channels;
using Gantry.Storage.Indexing;
using Gantry.Storage.Watching;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// The single writer: drains every queued write, applies them in one transaction (each compare-and-swap sees
/// the earlier writes of the same batch), commits, updates the index, publishes the events, and only then
/// completes the callers. One fsync is shared by the whole batch: that is the group commit.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly LiveIndex _index;
    private readonly WatchHub _hub;
    private readonly int _maxBatch;
    private readonly Channel<SqliteOp> _queue = Channel.CreateUnbounded<SqliteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteInsert _insert;
    private readonly List<SqliteOp> _batch = [];
    private readonly List<StoreEvent> _events = [];
    private readonly Dictionary<string, StoredValue?> _changes = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private long _revision;
    private long _compacted;
    private long _commits;

    public SqliteWriter(SqliteConnection connection, LiveIndex index, WatchHub hub, long revision, long compacted, int maxBatch)
    {
        _connection = connection;
        _index = index;
        _hub = hub;
        _revision = revision;
        _compacted = compacted;
        _maxBatch = maxBatch;
        _insert = new SqliteInsert(connection);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The compacted revision; raised before rows are deleted so concurrent readers fail safe.</summary>
    public long CompactedRevision => Volatile.Read(ref _compacted);

    /// <summary>Committed transactions that carried at least one write (tests check the group commit with it).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Queues an operation and waits until it is durable or failed.</summary>
    public Task<StoredValue?> SubmitAsync(SqliteOp op)
    {
        if (!_queue.Writer.TryWrite(op))
        {
            throw new ObjectDisposedException(nameof(SqliteStore));
        }
        return op.Task;
    }

    /// <summary>Stops accepting work and waits until everything queued is done.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return _loop;
    }

    public void Dispose() => _insert.Dispose();

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        SqliteOp? carried = null;
        while (carried is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            SqliteOp? compaction = null;
            if (carried is not null)
            {
                compaction = carried;
                carried = null;
            }
            else
            {
                while (_batch.Count < _maxBatch && reader.TryRead(out var op))
                {
                    if (op.CompactTo != 0)
                    {
                        // Compaction runs in its own transaction after the writes queued before it.
                        carried = op;
                        break;
                    }
                    _batch.Add(op);
                }
            }
            if (compaction is not null)
            {
                Compact(compaction);
            }
            if (_batch.Count > 0)
            {
                CommitBatch();
            }
        }
    }

    private void CommitBatch()
    {
        var startRevision = _revision;
        try
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var op in _batch)
            {
                Apply(op);
            }
            if (_events.Count > 0)
            {
                transaction.Commit();
                Interlocked.Increment(ref _commits);
            }
        }
        catch (Exception ex)
        {
            // Nothing of the batch is durable: every caller learns it, and the revisions will be reused.
            _revision = startRevision;
            foreach (var op in _batch)
            {
                op.TrySetException(op.Error ?? ex);
            }
            ClearBatch();
            return;
        }
        try
        {
            _index.Apply(_changes, _revision);
            _hub.Publish(_events);
        }
        finally
        {
            // The batch is durable whatever happened after the commit, so its callers must hear back.
            foreach (var op in _batch)
            {
                if (op.Error is null)
                {
                    op.TrySetResult(op.Result);
                }
                else
                {
                    op.TrySetException(op.Error);
                }
            }
            ClearBatch();
        }
    }

    private void ClearBatch()
    {
        _batch.Clear();
        _events.Clear();
        _changes.Clear();
    }

    private void Apply(SqliteOp op)
    {
        if (op.CancellationToken.IsCancellationRequested)
        {
            op.Error = new OperationCanceledException(op.CancellationToken);
            return;
        }
        var current = _changes.TryGetValue(op.Key, out var changed) ? changed : _index.PeekFromWriter(op.Key);
        if (WriteRules.Check(op.Kind, op.Key, current, op.ExpectedRevision) is { } failure)
        {
            op.Error = failure;
            return;
        }
        var revision = _revision + 1;
        var e = WriteRules.ToEvent(op.Kind, op.Key, op.Value, current, revision);
        // A deletion row keeps no value: its previous row holds it and stays until the deletion is compacted.
        _insert.Execute(revision, op.Key, op.Kind == WriteKind.Create, op.Kind == WriteKind.Delete, e.Value.CreateRevision, current?.ModRevision ?? 0,
            op.Kind == WriteKind.Delete ? null : op.Value);
        _revision = revision;
        _changes[op.Key] = op.Kind == WriteKind.Delete ? null : e.Value;
        _events.Add(e);
        op.Result = e.Value;
    }

    private void Compact(SqliteOp op)
    {
        var from = _compacted;
        var to = op.CompactTo;
        if (to <= from)
        {
            op.TrySetResult(null);
            return;
        }
        try
        {
            Volatile.Write(ref _compacted, to);
            using (var transaction = _connection.BeginTransaction())
            using (var command = _connection.CreateCommand())
            {
                command.Transaction = transaction;
                // Rows superseded within the range go first (found through the superseding rows' prev_revision),
                // then the deletion markers; the newest version at or below `to` of every live key stays.
                command.CommandText = $"""
                    DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > $from AND id <= $to AND prev_revision > 0);
                    DELETE FROM kv WHERE id > $from AND id <= $to AND deleted = 1;
                    INSERT INTO meta (name, value) VALUES ('{SqliteSchema.CompactRevisionName}', $to)
                      ON CONFLICT (name) DO UPDATE SET value = excluded.value;
                    """;
                command.Parameters.AddWithValue("$from", from);
                command.Parameters.AddWithValue("$to", to);
                command.ExecuteNonQuery();
                transaction.Commit();
            }
            using (var vacuum = _connection.CreateCommand())
            {
                vacuum.CommandText = "PRAGMA incremental_vacuum;";
                vacuum.ExecuteNonQuery();
            }
            op.TrySetResult(null);
        }
        catch (Exception ex)
        {
            // Nothing was deleted, so readers may use that history again.
            Volatile.Write(ref _compacted, from);
            op.TrySetException(ex);
        }
    }
}
