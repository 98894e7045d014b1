using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// The writer's prepared INSERT of one kv row, bound and stepped through SQLite's own calls. Every write runs it on the
/// single writer that all writes queue behind, and Microsoft.Data.Sqlite's <c>ExecuteNonQuery</c> boxed each value and
/// made a binder per parameter and a data reader per row (a tenth of an API create's garbage, bench/RESULTS.md).
/// </summary>
internal sealed class SqliteInsert : IDisposable
{
    private const string Sql = """
        INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        """;

    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;
    private byte[] _name = new byte[256];

    /// <summary>Prepares the statement on the writer's open connection.</summary>
    public SqliteInsert(SqliteConnection connection)
    {
        _connection = connection;
        Check(raw.sqlite3_prepare_v2(connection.Handle, Sql, out _statement));
    }

    /// <summary>Inserts one row in the connection's open transaction; a null value is a deletion row.</summary>
    public void Execute(long id, string name, bool created, bool deleted, long createRevision, long prevRevision, byte[]? value)
    {
        try
        {
            Check(raw.sqlite3_bind_int64(_statement, 1, id));
            if (_name.Length < Encoding.UTF8.GetMaxByteCount(name.Length)) _name = new byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
            Check(raw.sqlite3_bind_text(_statement, 2, _name.AsSpan(0, Encoding.UTF8.GetBytes(name, _name))));
            Check(raw.sqlite3_bind_int64(_statement, 3, created ? 1 : 0));
            Check(raw.sqlite3_bind_int64(_statement, 4, deleted ? 1 : 0));
            Check(raw.sqlite3_bind_int64(_statement, 5, createRevision));
            Check(raw.sqlite3_bind_int64(_statement, 6, prevRevision));
            // An empty span would bind NULL: an empty value is a zero-length blob, as Microsoft.Data.Sqlite binds it.
            Check(value switch
            {
                null => raw.sqlite3_bind_null(_statement, 7),
                { Length: 0 } => raw.sqlite3_bind_zeroblob(_statement, 7, 0),
                _ => raw.sqlite3_bind_blob(_statement, 7, value),
            });
            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    /// <summary>Finalizes the statement (before the connection closes).</summary>
    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
    }
}
