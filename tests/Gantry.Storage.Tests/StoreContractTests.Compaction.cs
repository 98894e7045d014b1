using Xunit;

namespace Gantry.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Compact_ThenListAtCompactedRevision_ThrowsCompacted()
    {
        var a = await Store.CreateAsync("/p/a", Bytes("1"));
        await Store.UpdateAsync("/p/a", Bytes("2"), a.ModRevision);
        var compactAt = Store.CurrentRevision;
        await Store.CreateAsync("/p/b", Bytes("3"));

        await Store.CompactAsync(compactAt);

        Assert.Equal(compactAt, Store.CompactedRevision);
        var error = await Assert.ThrowsAsync<StoreCompactedException>(async () => await Store.ListAsync("/p/", new ListRequest(Revision: a.ModRevision)));
        Assert.Equal(compactAt, error.Compacted);
        await Assert.ThrowsAsync<StoreCompactedException>(async () => await Store.ListAsync("/p/", new ListRequest(Revision: compactAt)));
    }

    [Fact]
    public async Task Compact_KeepsTheNewestValueOfEveryLiveKeyAndLaterRevisions()
    {
        var a = await Store.CreateAsync("/p/a", Bytes("a1"));
        await Store.UpdateAsync("/p/a", Bytes("a2"), a.ModRevision);
        await Store.CreateAsync("/p/b", Bytes("b1"));
        await Store.CreateAsync("/p/gone", Bytes("x"));
        await Store.DeleteAsync("/p/gone", 0);
        var compactAt = Store.CurrentRevision;
        await Store.CreateAsync("/p/c", Bytes("c1"));
        var afterCompact = Store.CurrentRevision;
        await Store.DeleteAsync("/p/b", 0);

        await Store.CompactAsync(compactAt);

        Assert.Equal(["a2", "c1"], (await Store.ListAsync("/p/", ListRequest.All)).Items.Select(Text));
        var old = await Store.ListAsync("/p/", new ListRequest(Revision: afterCompact));
        Assert.Equal(["/p/a", "/p/b", "/p/c"], old.Items.Select(i => i.Key));
        Assert.Equal(["a2", "b1", "c1"], old.Items.Select(Text));
    }

    [Fact]
    public async Task Compact_ThenWatchFromBeforeCompactedRevision_ThrowsCompacted()
    {
        await Store.CreateAsync("/p/a", Bytes("1"));
        await Store.CreateAsync("/p/b", Bytes("2"));
        await Store.CompactAsync(2);

        var error = Assert.Throws<StoreCompactedException>(() => Store.Watch("/p/", 1, CancellationToken.None));
        Assert.Equal(2, error.Compacted);
    }

    [Fact]
    public async Task Compact_ThenWatchFromCompactedRevision_ReplaysEverythingLater()
    {
        var a = await Store.CreateAsync("/p/a", Bytes("1"));
        await Store.UpdateAsync("/p/a", Bytes("2"), a.ModRevision);
        var compactAt = Store.CurrentRevision;
        await Store.UpdateAsync("/p/a", Bytes("3"), compactAt);
        await Store.DeleteAsync("/p/a", 0);
        await Store.CompactAsync(compactAt);
        using var stop = new CancellationTokenSource();

        var events = await ReadAsync(Store.Watch("/p/", compactAt, stop.Token), 2);

        Assert.Equal([StoreEventType.Updated, StoreEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal("2", Text(events[0].Previous!));
        Assert.Equal("3", Text(events[1].Previous!));
        Assert.Equal("3", Text(events[1].Value));
    }

    [Fact]
    public async Task Compact_BelowTheCompactedRevision_ChangesNothing()
    {
        await Store.CreateAsync("/p/a", Bytes("1"));
        await Store.CreateAsync("/p/b", Bytes("2"));
        await Store.CompactAsync(2);

        await Store.CompactAsync(1);

        Assert.Equal(2, Store.CompactedRevision);
    }

    [Fact]
    public async Task Compact_BeyondTheCurrentRevision_IsRejected()
    {
        await Store.CreateAsync("/p/a", Bytes("1"));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.CompactAsync(5));
    }

    [Fact]
    public async Task Compact_OfADeletionAtTheNewestRevision_NeverReusesTheRevision()
    {
        await Store.CreateAsync("/p/a", Bytes("1"));
        await Store.DeleteAsync("/p/a", 0);
        await Store.CompactAsync(2);

        var next = await Store.CreateAsync("/p/b", Bytes("2"));

        Assert.Equal(3, next.ModRevision);
    }
}
