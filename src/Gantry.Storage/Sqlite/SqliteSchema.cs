using Gantry.Storage.Indexing;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>The on-disk layout (kine's <c>kv</c> table plus a small <c>meta</c> table) and loading it at open.</summary>
internal static class SqliteSchema
{
    public const string CompactRevisionName = "compact_rev";

    // auto_vacuum must precede the first table; on an existing file it is a no-op unless already set.
    // journal_size_limit truncates the WAL after a checkpoint, so one burst does not leave a large file behind.
    private const string Setup = """
        PRAGMA auto_vacuum = INCREMENTAL;
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        PRAGMA journal_size_limit = 67108864;
        CREATE TABLE IF NOT EXISTS kv (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            created INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            value BLOB);
        CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        """;

    /// <summary>Connection strings of the single writer (unpooled, owned) and of readers (pooled).</summary>
    public static (string Writer, string Reader) ConnectionStrings(string path)
    {
        var writer = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        };
        var reader = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        };
        return (writer.ToString(), reader.ToString());
    }

    /// <summary>Opens the writer connection and creates the schema when missing.</summary>
    public static SqliteConnection OpenWriter(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Setup;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the current and compacted revisions. The current revision comes from AUTOINCREMENT's sequence,
    /// because compaction may delete the newest row (a deletion marker) and revisions must never go back.
    /// </summary>
    public static (long Current, long Compacted) LoadRevisions(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT
              (SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'kv'),
              (SELECT COALESCE(MAX(value), 0) FROM meta WHERE name = '{CompactRevisionName}')
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Fills the index with the newest version of every live key.</summary>
    public static void LoadIndex(SqliteConnection connection, LiveIndex index, long revision)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT kv.name, kv.value, kv.create_revision, kv.id
            FROM kv JOIN (SELECT MAX(id) AS id FROM kv GROUP BY name) newest ON newest.id = kv.id
            WHERE kv.deleted = 0
            """;
        var values = new List<KeyValuePair<string, StoredValue?>>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var key = reader.GetString(0);
                values.Add(new(key, new StoredValue(key, ReadBlob(reader, 1), reader.GetInt64(2), reader.GetInt64(3))));
            }
        }
        index.Apply(values, revision);
    }

    /// <summary>Reads a BLOB column, treating NULL as empty.</summary>
    public static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : (byte[])reader.GetValue(ordinal);
}
