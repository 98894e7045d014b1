using System.Text;
using System.Threading.Channels;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>The behaviour every <see cref="IStore"/> must have; each implementation's tests inherit this class.</summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected IStore Store { get; set; } = null!;

    /// <summary>Opens a fresh, empty store.</summary>
    protected abstract Task<IStore> OpenStoreAsync(int watchCapacity = 10_000);

    public virtual async Task InitializeAsync() => Store = await OpenStoreAsync();

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(StoredValue value) => Encoding.UTF8.GetString(value.Value.Span);

    protected static async Task<List<StoreEvent>> ReadAsync(ChannelReader<StoreEvent> reader, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<StoreEvent>();
        while (events.Count < count)
        {
            events.Add(await reader.ReadAsync(timeout.Token));
        }
        return events;
    }

    protected static async Task AssertNothingMoreAsync(ChannelReader<StoreEvent> reader)
    {
        await Task.Delay(100);
        Assert.False(reader.TryRead(out var extra), $"unexpected event {extra?.Type} {extra?.Value.Key}");
    }

    [Fact]
    public async Task Create_NewKey_ReturnsValueAtNewRevision()
    {
        var created = await Store.CreateAsync("/registry/pods/default/a", Bytes("one"));

        Assert.Equal("/registry/pods/default/a", created.Key);
        Assert.Equal("one", Text(created));
        Assert.Equal(1, created.ModRevision);
        Assert.Equal(created.ModRevision, created.CreateRevision);
        Assert.Equal(1, Store.CurrentRevision);
    }

    [Fact]
    public async Task Create_ExistingKey_ThrowsKeyExists()
    {
        await Store.CreateAsync("/a", Bytes("one"));

        var error = await Assert.ThrowsAsync<StoreKeyExistsException>(async () => await Store.CreateAsync("/a", Bytes("two")));

        Assert.Equal("/a", error.Key);
        Assert.Equal("one", Text((await Store.GetAsync("/a"))!));
    }

    [Fact]
    public async Task FailedWrites_DoNotAdvanceTheRevision()
    {
        await Store.CreateAsync("/a", Bytes("one"));

        await Assert.ThrowsAsync<StoreKeyExistsException>(async () => await Store.CreateAsync("/a", Bytes("two")));
        await Assert.ThrowsAsync<StoreConflictException>(async () => await Store.UpdateAsync("/a", Bytes("two"), 7));
        await Assert.ThrowsAsync<StoreKeyNotFoundException>(async () => await Store.DeleteAsync("/b", 0));

        Assert.Equal(1, Store.CurrentRevision);
        Assert.Equal(2, (await Store.CreateAsync("/b", Bytes("b"))).ModRevision);
    }

    [Fact]
    public async Task Get_MissingKey_ReturnsNull() => Assert.Null(await Store.GetAsync("/nothing"));

    [Fact]
    public async Task Get_AfterCreate_ReturnsTheStoredValue()
    {
        var created = await Store.CreateAsync("/a", Bytes("one"));

        var read = await Store.GetAsync("/a");

        Assert.NotNull(read);
        Assert.Equal("one", Text(read));
        Assert.Equal(created.ModRevision, read.ModRevision);
        Assert.Equal(created.CreateRevision, read.CreateRevision);
    }

    [Fact]
    public async Task Create_CopiesTheCallersBuffer()
    {
        var buffer = Bytes("one");
        await Store.CreateAsync("/a", buffer);

        buffer[0] = (byte)'X';

        Assert.Equal("one", Text((await Store.GetAsync("/a"))!));
    }

    [Fact]
    public async Task Update_WithCurrentRevision_ReplacesValueAndKeepsCreateRevision()
    {
        var created = await Store.CreateAsync("/a", Bytes("one"));

        var updated = await Store.UpdateAsync("/a", Bytes("two"), created.ModRevision);

        Assert.Equal("two", Text(updated));
        Assert.Equal(created.ModRevision + 1, updated.ModRevision);
        Assert.Equal(created.CreateRevision, updated.CreateRevision);
        Assert.Equal("two", Text((await Store.GetAsync("/a"))!));
    }

    [Fact]
    public async Task Update_WithStaleRevision_ThrowsConflictCarryingTheCurrentValue()
    {
        var created = await Store.CreateAsync("/a", Bytes("one"));
        var updated = await Store.UpdateAsync("/a", Bytes("two"), created.ModRevision);

        var error = await Assert.ThrowsAsync<StoreConflictException>(async () => await Store.UpdateAsync("/a", Bytes("three"), created.ModRevision));

        Assert.Equal("/a", error.Key);
        Assert.NotNull(error.Current);
        Assert.Equal(updated.ModRevision, error.Current.ModRevision);
        Assert.Equal("two", Text(error.Current));
    }

    [Fact]
    public async Task Update_MissingKey_ThrowsKeyNotFound()
    {
        var error = await Assert.ThrowsAsync<StoreKeyNotFoundException>(async () => await Store.UpdateAsync("/a", Bytes("x"), 1));
        Assert.Equal("/a", error.Key);
    }

    [Fact]
    public async Task Delete_WithCurrentRevision_RemovesKeyAndReturnsLastValueAtDeleteRevision()
    {
        var created = await Store.CreateAsync("/a", Bytes("one"));

        var deleted = await Store.DeleteAsync("/a", created.ModRevision);

        Assert.Equal("one", Text(deleted));
        Assert.Equal(created.ModRevision + 1, deleted.ModRevision);
        Assert.Equal(created.CreateRevision, deleted.CreateRevision);
        Assert.Null(await Store.GetAsync("/a"));
        Assert.Equal(deleted.ModRevision, Store.CurrentRevision);
    }

    [Fact]
    public async Task Delete_WithStaleRevision_ThrowsConflictAndKeepsKey()
    {
        var created = await Store.CreateAsync("/a", Bytes("one"));
        await Store.UpdateAsync("/a", Bytes("two"), created.ModRevision);

        await Assert.ThrowsAsync<StoreConflictException>(async () => await Store.DeleteAsync("/a", created.ModRevision));

        Assert.Equal("two", Text((await Store.GetAsync("/a"))!));
    }

    [Fact]
    public async Task Delete_WithRevisionZero_DeletesUnconditionally()
    {
        var created = await Store.CreateAsync("/a", Bytes("one"));
        await Store.UpdateAsync("/a", Bytes("two"), created.ModRevision);

        var deleted = await Store.DeleteAsync("/a", 0);

        Assert.Equal("two", Text(deleted));
        Assert.Null(await Store.GetAsync("/a"));
    }

    [Fact]
    public async Task Delete_MissingKey_ThrowsKeyNotFound() =>
        await Assert.ThrowsAsync<StoreKeyNotFoundException>(async () => await Store.DeleteAsync("/a", 0));

    [Fact]
    public async Task Create_AfterDelete_StartsANewIncarnation()
    {
        var first = await Store.CreateAsync("/a", Bytes("one"));
        await Store.DeleteAsync("/a", 0);

        var second = await Store.CreateAsync("/a", Bytes("again"));

        Assert.Equal(3, second.CreateRevision);
        Assert.NotEqual(first.CreateRevision, second.CreateRevision);
        Assert.Equal("again", Text((await Store.GetAsync("/a"))!));
    }

    [Fact]
    public async Task EveryWrite_AdvancesTheRevisionByOne()
    {
        var a = await Store.CreateAsync("/a", Bytes("1"));
        var b = await Store.CreateAsync("/b", Bytes("2"));
        var a2 = await Store.UpdateAsync("/a", Bytes("3"), a.ModRevision);
        var gone = await Store.DeleteAsync("/b", b.ModRevision);

        Assert.Equal([1L, 2L, 3L, 4L], [a.ModRevision, b.ModRevision, a2.ModRevision, gone.ModRevision]);
        Assert.Equal(4, Store.CurrentRevision);
    }

    [Fact]
    public async Task ConcurrentCreates_AllGetDistinctIncreasingRevisions()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Store.CreateAsync($"/k/{i:D4}", Bytes($"{i}")).AsTask()));

        var revisions = results.Select(r => r.ModRevision).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), revisions);
        Assert.Equal(200, Store.CurrentRevision);
        Assert.Equal(200, await Store.CountAsync("/k/"));
    }

    [Fact]
    public async Task ConcurrentUpdatesFromTheSameRevision_ExactlyOneWins()
    {
        var created = await Store.CreateAsync("/a", Bytes("0"));

        var attempts = Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                await Store.UpdateAsync("/a", Bytes($"{i}"), created.ModRevision);
                return true;
            }
            catch (StoreConflictException)
            {
                return false;
            }
        });

        Assert.Single(await Task.WhenAll(attempts), won => won);
        Assert.Equal(created.ModRevision + 1, Store.CurrentRevision);
    }

    [Fact]
    public async Task ConcurrentDeletesAndCreates_OfOneKey_StayConsistent()
    {
        await Store.CreateAsync("/a", Bytes("0"));
        var writes = Enumerable.Range(0, 50).Select(async i =>
        {
            try
            {
                if (i % 2 == 0)
                {
                    await Store.DeleteAsync("/a", 0);
                }
                else
                {
                    await Store.CreateAsync("/a", Bytes($"{i}"));
                }
            }
            catch (StoreException)
            {
            }
        });
        await Task.WhenAll(writes);

        var list = await Store.ListAsync("/", ListRequest.All);
        var get = await Store.GetAsync("/a");
        Assert.Equal(get is null ? 0 : 1, list.Items.Count);
    }
}
