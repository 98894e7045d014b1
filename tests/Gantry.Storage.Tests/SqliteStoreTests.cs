using Gantry.Storage.Sqlite;
using Xunit;

namespace Gantry.Storage.Tests;

public sealed class SqliteStoreTests : StoreContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gantry-store-tests", Guid.NewGuid().ToString("N"));
    private readonly List<SqliteStore> _opened = [];
    private int _files;

    private static readonly SqliteStoreOptions NoAutomaticCompaction = new() { CompactInterval = TimeSpan.Zero };

    protected override async Task<IStore> OpenStoreAsync(int watchCapacity = 10_000) =>
        await OpenAsync(NextPath(), NoAutomaticCompaction with { WatchCapacity = watchCapacity });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }

    private string NextPath() => Path.Combine(_directory, $"state{Interlocked.Increment(ref _files)}.db");

    private async Task<SqliteStore> OpenAsync(string path, SqliteStoreOptions? options = null)
    {
        var store = await SqliteStore.OpenAsync(path, options ?? NoAutomaticCompaction, CancellationToken.None);
        _opened.Add(store);
        return store;
    }

    [Fact]
    public async Task Reopen_AfterDispose_KeepsValuesRevisionsAndCompaction()
    {
        var path = NextPath();
        var store = await OpenAsync(path);
        var a = await store.CreateAsync("/p/a", Bytes("a1"));
        await store.UpdateAsync("/p/a", Bytes("a2"), a.ModRevision);
        await store.CreateAsync("/p/b", Bytes("b1"));
        await store.CompactAsync(2);
        await store.CreateAsync("/p/c", Bytes("c1"));
        await store.DeleteAsync("/p/c", 0);
        await store.DisposeAsync();

        var reopened = await OpenAsync(path);

        Assert.Equal(5, reopened.CurrentRevision);
        Assert.Equal(2, reopened.CompactedRevision);
        var items = (await reopened.ListAsync("/p/", ListRequest.All)).Items;
        Assert.Equal(["a2", "b1"], items.Select(Text));
        Assert.Equal([1L, 3L], items.Select(i => i.CreateRevision));
        Assert.Equal([2L, 3L], items.Select(i => i.ModRevision));
        Assert.Equal(6, (await reopened.CreateAsync("/p/d", Bytes("d"))).ModRevision);
        Assert.Throws<StoreCompactedException>(() => reopened.Watch("/p/", 1, CancellationToken.None));
        var old = await reopened.ListAsync("/p/", new ListRequest(Revision: 4));
        Assert.Equal(["/p/a", "/p/b", "/p/c"], old.Items.Select(i => i.Key));
    }

    [Fact]
    public async Task Reopen_KeepsEmptyValuesAndNonAsciiKeysAsWritten()
    {
        var path = NextPath();
        var store = await OpenAsync(path);
        await store.CreateAsync("/p/empty", ReadOnlyMemory<byte>.Empty);
        await store.CreateAsync("/p/ünïcødé-名前", Bytes("v"));
        await store.CreateAsync("/p/gone", Bytes("g"));
        await store.DeleteAsync("/p/gone", 0);
        await store.DisposeAsync();

        var reopened = await OpenAsync(path);

        var items = (await reopened.ListAsync("/p/", ListRequest.All)).Items;
        Assert.Equal(["/p/empty", "/p/ünïcødé-名前"], items.Select(i => i.Key));
        Assert.Equal(["", "v"], items.Select(Text));
        // Read from the table, not the in-memory index: the rows as the insert wrote them.
        var before = await reopened.ListAsync("/p/", new ListRequest(Revision: 3));
        Assert.Equal(["/p/empty", "/p/gone", "/p/ünïcødé-名前"], before.Items.Select(i => i.Key));
        Assert.Equal(["", "g", "v"], before.Items.Select(Text));
    }

    [Fact]
    public async Task Reopen_AfterTheNewestRowWasCompactedAway_KeepsTheRevision()
    {
        var path = NextPath();
        var store = await OpenAsync(path);
        await store.CreateAsync("/p/a", Bytes("a"));
        await store.DeleteAsync("/p/a", 0);
        await store.CompactAsync(2);
        await store.DisposeAsync();

        var reopened = await OpenAsync(path);

        Assert.Equal(2, reopened.CurrentRevision);
        Assert.Equal(3, (await reopened.CreateAsync("/p/b", Bytes("b"))).ModRevision);
    }

    [Fact]
    public async Task AcknowledgedWrites_SurviveACrash()
    {
        var path = NextPath();
        var store = await OpenAsync(path);
        var writes = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => store.CreateAsync($"/p/{i:D3}", Bytes($"{i}")).AsTask()));
        await store.UpdateAsync("/p/000", Bytes("changed"), writes[0].ModRevision);

        // Copy the file set while the store is still open: what a kill -9 would leave behind.
        var copy = Path.Combine(_directory, "crashed.db");
        File.Copy(path, copy);
        if (File.Exists(path + "-wal"))
        {
            File.Copy(path + "-wal", copy + "-wal");
        }

        var recovered = await OpenAsync(copy);
        Assert.Equal(101, recovered.CurrentRevision);
        Assert.Equal(100, await recovered.CountAsync("/p/"));
        Assert.Equal("changed", Text((await recovered.GetAsync("/p/000"))!));
    }

    [Fact]
    public async Task ConcurrentCreates_AreGroupCommittedInFewTransactions()
    {
        var store = await OpenAsync(NextPath());

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => store.CreateAsync($"/p/{i:D4}", Bytes("x")).AsTask()));

        Assert.Equal(1000, store.CurrentRevision);
        Assert.True(store.Commits < 200, $"{store.Commits} transactions for 1000 writes");
    }

    [Fact]
    public async Task BatchWithConflictingWrites_FailsOnlyTheLosers()
    {
        var store = await OpenAsync(NextPath());
        var created = await store.CreateAsync("/p/a", Bytes("0"));

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            try
            {
                await store.CreateAsync($"/p/new{i}", Bytes("n"));
                await store.UpdateAsync("/p/a", Bytes($"{i}"), created.ModRevision);
                return true;
            }
            catch (StoreConflictException)
            {
                return false;
            }
        }));

        Assert.Single(results, won => won);
        Assert.Equal(11, await store.CountAsync("/p/"));
    }

    [Fact]
    public async Task PeriodicCompaction_KeepsTheRetainedRevisions()
    {
        var store = await OpenAsync(NextPath(), new SqliteStoreOptions
        {
            CompactInterval = TimeSpan.FromMilliseconds(50),
            CompactRetainRevisions = 10,
        });
        var value = await store.CreateAsync("/p/a", Bytes("0"));
        for (var i = 1; i < 30; i++)
        {
            value = await store.UpdateAsync("/p/a", Bytes($"{i}"), value.ModRevision);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (store.CompactedRevision < 20 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(20, store.CompactedRevision);
        Assert.Equal("29", Text((await store.GetAsync("/p/a"))!));
        Assert.Equal("20", Text((await store.ListAsync("/p/", new ListRequest(Revision: 21))).Items[0]));
    }

    [Fact]
    public async Task Compaction_RemovesSupersededRows()
    {
        var path = NextPath();
        var store = await OpenAsync(path);
        var value = await store.CreateAsync("/p/a", new byte[4096]);
        for (var i = 0; i < 200; i++)
        {
            value = await store.UpdateAsync("/p/a", new byte[4096], value.ModRevision);
        }
        await store.CreateAsync("/p/b", Bytes("b"));
        await store.DeleteAsync("/p/b", 0);

        await store.CompactAsync(store.CurrentRevision);

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM kv";
        Assert.Equal(1L, (long)command.ExecuteScalar()!);
        command.CommandText = "PRAGMA auto_vacuum";
        Assert.Equal(2L, (long)command.ExecuteScalar()!);
        command.CommandText = "PRAGMA freelist_count";
        Assert.Equal(0L, (long)command.ExecuteScalar()!);
    }
}
