using System.Runtime.CompilerServices;
using Gantry.Storage.Indexing;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// Reads of older revisions, on pooled reader connections. Each read runs in one WAL snapshot and checks the
/// compacted revision after its first row: compaction raises that revision before deleting, so a read that
/// passes the check saw a snapshot older than the deletion.
/// </summary>
internal sealed class SqliteHistory(string connectionString, LiveIndex index, Func<long> compactedRevision)
{
    // Walks (name, id) in key order and keeps each key's newest row at or below the revision, so LIMIT stops
    // the scan after one page instead of grouping the whole range first.
    private const string PageSql = """
        SELECT k.name, k.value, k.create_revision, k.id
        FROM kv AS k
        WHERE k.name >= $low AND k.name < $high AND k.id <= $revision
          AND k.id = (SELECT MAX(n.id) FROM kv AS n WHERE n.name = k.name AND n.id <= $revision)
          AND k.deleted = 0
        ORDER BY k.name
        LIMIT $limit
        """;

    // The keys written after the listed revision, with whether each was live then (its first later row is not a
    // creation) and whether it is live at the index's revision (its last row is not a deletion).
    private const string ChangedSinceSql = """
        SELECT first.created, last.deleted
        FROM (SELECT MIN(id) AS first_id, MAX(id) AS last_id FROM kv
              WHERE id > $revision AND id <= $now AND name >= $low AND name < $high GROUP BY name) AS changed
        JOIN kv AS first ON first.id = changed.first_id
        JOIN kv AS last ON last.id = changed.last_id
        """;

    private const string ReplaySql = """
        SELECT kv.id, kv.name, kv.created, kv.deleted, kv.create_revision, kv.value, p.id, p.create_revision, p.value
        FROM kv LEFT JOIN kv AS p ON p.id = kv.prev_revision
        WHERE kv.id > $after AND kv.id <= $upto AND kv.name >= $low AND kv.name < $high
        ORDER BY kv.id
        """;

    /// <summary>Lists a page as of <see cref="ListRequest.Revision"/> (which must be non-zero).</summary>
    public async Task<ListResult> ListAsync(string prefix, ListRequest request, CancellationToken cancellationToken)
    {
        var low = KeyRange.Start(prefix, request.StartKey);
        var high = KeyRange.End(prefix);
        // Counted before the transaction's first read: the snapshot then holds every row the count reflects.
        var (liveNow, indexRevision) = request.Limit > 0 ? index.Count(prefix, low) : (0, 0);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Deferred: a reader must not take the write lock, only a snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var items = new List<StoredValue>();
        string? nextKey = null;
        await using (var page = Command(connection, transaction, PageSql, low, high, request.Revision))
        {
            page.Parameters.AddWithValue("$limit", request.Limit > 0 ? request.Limit + 1L : -1L);
            await using var reader = await page.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetString(0);
                if (items.Count == request.Limit && request.Limit > 0)
                {
                    nextKey = key;
                    break;
                }
                items.Add(new StoredValue(key, SqliteSchema.ReadBlob(reader, 1), reader.GetInt64(2), reader.GetInt64(3)));
            }
        }
        long remaining = 0;
        if (nextKey is not null)
        {
            var liveThen = await CountLiveThenAsync(connection, transaction, low, high, request.Revision, liveNow, indexRevision, cancellationToken).ConfigureAwait(false);
            remaining = liveThen - items.Count;
        }
        ThrowIfCompacted(request.Revision);
        return new ListResult(items, request.Revision, nextKey, remaining);
    }

    /// <summary>
    /// Counts the keys in [low, high) live at an older revision without scanning them all: the index's count at
    /// <paramref name="indexRevision"/>, corrected by the keys written since that older revision.
    /// </summary>
    private static async Task<long> CountLiveThenAsync(
        SqliteConnection connection, SqliteTransaction transaction, string low, string high, long revision,
        long liveNow, long indexRevision, CancellationToken cancellationToken)
    {
        var count = liveNow;
        await using var command = Command(connection, transaction, ChangedSinceSql, low, high, revision);
        command.Parameters.AddWithValue("$now", indexRevision);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var wasLive = reader.GetInt64(0) == 0;
            var isLive = reader.GetInt64(1) == 0;
            count += (wasLive ? 1 : 0) - (isLive ? 1 : 0);
        }
        return count;
    }

    /// <summary>Streams the recorded changes under a prefix in (after, upTo], in revision order.</summary>
    public async IAsyncEnumerable<StoreEvent> ReplayAsync(
        string prefix, long afterRevision, long upToRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Deferred: a reader must not take the write lock, only a snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = Command(connection, transaction, ReplaySql, prefix, KeyRange.End(prefix), 0);
        command.Parameters.AddWithValue("$after", afterRevision);
        command.Parameters.AddWithValue("$upto", upToRevision);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var checkedSnapshot = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!checkedSnapshot)
            {
                ThrowIfCompacted(afterRevision + 1);
                checkedSnapshot = true;
            }
            yield return ToEvent(reader);
        }
        ThrowIfCompacted(afterRevision + 1);
    }

    private static StoreEvent ToEvent(SqliteDataReader reader)
    {
        var revision = reader.GetInt64(0);
        var key = reader.GetString(1);
        StoredValue? previous = reader.IsDBNull(6)
            ? null
            : new StoredValue(key, SqliteSchema.ReadBlob(reader, 8), reader.GetInt64(7), reader.GetInt64(6));
        if (reader.GetInt64(2) != 0 || previous is null)
        {
            return new StoreEvent(StoreEventType.Created, new StoredValue(key, SqliteSchema.ReadBlob(reader, 5), revision, revision), null);
        }
        if (reader.GetInt64(3) != 0)
        {
            return new StoreEvent(StoreEventType.Deleted, previous with { ModRevision = revision }, previous);
        }
        return new StoreEvent(StoreEventType.Updated, new StoredValue(key, SqliteSchema.ReadBlob(reader, 5), reader.GetInt64(4), revision), previous);
    }

    private void ThrowIfCompacted(long revision)
    {
        var compacted = compactedRevision();
        if (revision <= compacted)
        {
            throw new StoreCompactedException(revision, compacted);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, string low, string high, long revision)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$low", low);
        command.Parameters.AddWithValue("$high", high);
        if (revision != 0)
        {
            command.Parameters.AddWithValue("$revision", revision);
        }
        return command;
    }
}
