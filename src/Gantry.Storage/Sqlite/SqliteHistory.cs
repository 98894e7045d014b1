using System.Runtime.CompilerServices;
using Gantry.Storage.Indexing;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// Reads of older revisions, on pooled reader connections. Each read runs in one WAL snapshot and checks the
/// compacted revision after its first row: compaction raises that revision before deleting, so a read that
/// passes the check saw a snapshot older than the deletion.
/// </summary>
internal sealed class SqliteHistory(string connectionString, Func<long> compactedRevision)
{
    private const string PageSql = """
        SELECT kv.name, kv.value, kv.create_revision, kv.id
        FROM kv JOIN (SELECT MAX(id) AS id FROM kv WHERE name >= $low AND name < $high AND id <= $revision GROUP BY name) newest
          ON newest.id = kv.id
        WHERE kv.deleted = 0
        ORDER BY kv.name
        LIMIT $limit
        """;

    private const string CountSql = """
        SELECT COUNT(*)
        FROM kv JOIN (SELECT MAX(id) AS id FROM kv WHERE name >= $low AND name < $high AND id <= $revision GROUP BY name) newest
          ON newest.id = kv.id
        WHERE kv.deleted = 0
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
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Deferred: a reader must not take the write lock, only a snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var high = KeyRange.End(prefix);
        var items = new List<StoredValue>();
        string? nextKey = null;
        await using (var page = Command(connection, transaction, PageSql, KeyRange.Start(prefix, request.StartKey), high, request.Revision))
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
            await using var count = Command(connection, transaction, CountSql, nextKey, high, request.Revision);
            remaining = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        ThrowIfCompacted(request.Revision);
        return new ListResult(items, request.Revision, nextKey, remaining);
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
