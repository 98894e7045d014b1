using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// Copies the WAL back into the database file on a thread and connection of its own. SQLite's automatic checkpoint
/// runs inside the commit that crosses its threshold (1000 pages, several times a second under load): the page
/// writes and the database file's fsync then stall that commit and every write queued behind it, which is where the
/// slowest writes' time went. A passive checkpoint runs beside the writer without blocking it, and the writer turns
/// its own automatic checkpoint off.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    // Pages collect between copies: checkpointing after every commit would copy the same hot pages again and again.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ManualResetEventSlim _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private long _checkpoints;

    public SqliteCheckpointer(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        new Thread(Run) { IsBackground = true, Name = "Gantry SQLite checkpointer" }.Start();
    }

    /// <summary>Passive checkpoints that ran (tests check that the WAL is copied back without the writer).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Tells the checkpointer that a commit added to the WAL; cheap enough to call after every commit.</summary>
    public void Committed()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0) _signal.Release();
    }

    /// <summary>Stops after the checkpoint in progress, if any.</summary>
    public Task StopAsync()
    {
        _stopping.Set();
        _signal.Release();
        return _stopped.Task;
    }

    public void Dispose()
    {
        _connection.Dispose();
        _signal.Dispose();
        _stopping.Dispose();
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _signal.Wait();
                if (_stopping.IsSet) break;
                Volatile.Write(ref _pending, 0);
                Checkpoint();
                if (_stopping.Wait(Interval)) break;
            }
            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            _stopped.TrySetException(ex);
        }
    }

    private void Checkpoint()
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
            Interlocked.Increment(ref _checkpoints);
        }
        catch (SqliteException)
        {
            // Nothing was lost: the frames stay in the WAL, which readers and recovery use, until the next checkpoint.
        }
    }
}
