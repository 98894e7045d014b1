using System.Threading.Channels;
using Xunit;

namespace Gantry.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Watch_FromCurrentRevision_SeesLiveEventsInRevisionOrder()
    {
        using var stop = new CancellationTokenSource();
        var watch = Store.Watch("/p/", Store.CurrentRevision, stop.Token);

        var a = await Store.CreateAsync("/p/a", Bytes("1"));
        await Store.UpdateAsync("/p/a", Bytes("2"), a.ModRevision);
        await Store.CreateAsync("/p/b", Bytes("3"));

        var events = await ReadAsync(watch, 3);
        Assert.Equal([StoreEventType.Created, StoreEventType.Updated, StoreEventType.Created], events.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Value.ModRevision));
        Assert.Null(events[0].Previous);
        Assert.Equal("1", Text(events[1].Previous!));
        Assert.Equal("2", Text(events[1].Value));
        Assert.Equal(a.CreateRevision, events[1].Value.CreateRevision);
    }

    [Fact]
    public async Task Watch_OnlySeesKeysUnderItsPrefix()
    {
        using var stop = new CancellationTokenSource();
        var watch = Store.Watch("/registry/pods/default/", 0, stop.Token);

        await Store.CreateAsync("/registry/pods/default2/x", Bytes("no"));
        await Store.CreateAsync("/registry/pods/other/x", Bytes("no"));
        await Store.CreateAsync("/registry/pods/default/x", Bytes("yes"));

        var events = await ReadAsync(watch, 1);
        Assert.Equal("/registry/pods/default/x", events[0].Value.Key);
        await AssertNothingMoreAsync(watch);
    }

    [Fact]
    public async Task Watch_DeletedEvent_CarriesThePreviousValue()
    {
        var created = await Store.CreateAsync("/p/a", Bytes("one"));
        var updated = await Store.UpdateAsync("/p/a", Bytes("two"), created.ModRevision);
        using var stop = new CancellationTokenSource();
        var watch = Store.Watch("/p/", Store.CurrentRevision, stop.Token);

        var deleted = await Store.DeleteAsync("/p/a", 0);

        var e = Assert.Single(await ReadAsync(watch, 1));
        Assert.Equal(StoreEventType.Deleted, e.Type);
        Assert.Equal(deleted.ModRevision, e.Value.ModRevision);
        Assert.Equal("two", Text(e.Value));
        Assert.NotNull(e.Previous);
        Assert.Equal("two", Text(e.Previous));
        Assert.Equal(updated.ModRevision, e.Previous.ModRevision);
        Assert.Equal(created.CreateRevision, e.Previous.CreateRevision);
    }

    [Fact]
    public async Task Watch_FromOldRevision_ReplaysHistoryThenContinuesLive()
    {
        var a = await Store.CreateAsync("/p/a", Bytes("1"));
        await Store.CreateAsync("/q/x", Bytes("other"));
        await Store.UpdateAsync("/p/a", Bytes("2"), a.ModRevision);
        await Store.DeleteAsync("/p/a", 0);
        using var stop = new CancellationTokenSource();

        var watch = Store.Watch("/p/", 0, stop.Token);
        await Store.CreateAsync("/p/b", Bytes("live"));

        var events = await ReadAsync(watch, 4);
        Assert.Equal([StoreEventType.Created, StoreEventType.Updated, StoreEventType.Deleted, StoreEventType.Created], events.Select(e => e.Type));
        Assert.Equal([1L, 3L, 4L, 5L], events.Select(e => e.Value.ModRevision));
        Assert.Equal("2", Text(events[2].Previous!));
        Assert.Equal("1", Text(events[1].Previous!));
        await AssertNothingMoreAsync(watch);
    }

    [Fact]
    public async Task Watch_FromTheMiddleOfHistory_StartsAfterThatRevision()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.CreateAsync($"/p/{i}", Bytes($"{i}"));
        }
        using var stop = new CancellationTokenSource();

        var events = await ReadAsync(Store.Watch("/p/", 3, stop.Token), 2);

        Assert.Equal([4L, 5L], events.Select(e => e.Value.ModRevision));
    }

    [Fact]
    public async Task Watch_StartedWhileWritesRace_SeesEveryRevisionExactlyOnce()
    {
        const int total = 300;
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                await Store.CreateAsync($"/p/{i:D4}", Bytes($"{i}"));
            }
        });
        while (Store.CurrentRevision < total / 3)
        {
            await Task.Delay(1);
        }

        var watch = Store.Watch("/p/", 0, stop.Token);
        var events = await ReadAsync(watch, total);
        await writes;

        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), events.Select(e => e.Value.ModRevision));
        await AssertNothingMoreAsync(watch);
    }

    [Fact]
    public async Task Watch_ManyWatchers_EachSeeTheSameOrder()
    {
        using var stop = new CancellationTokenSource();
        var watches = Enumerable.Range(0, 5).Select(_ => Store.Watch("/p/", 0, stop.Token)).ToList();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Store.CreateAsync($"/p/{i}", Bytes("x")).AsTask()));

        foreach (var watch in watches)
        {
            var events = await ReadAsync(watch, 50);
            Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), events.Select(e => e.Value.ModRevision));
        }
    }

    [Fact]
    public async Task Watch_Cancelled_CompletesTheReader()
    {
        using var stop = new CancellationTokenSource();
        var watch = Store.Watch("/p/", 0, stop.Token);

        await stop.CancelAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await watch.Completion.WaitAsync(timeout.Token);
    }

    [Fact]
    public async Task Watch_ReaderThatFallsBehind_IsClosedWithOverflow()
    {
        await Store.DisposeAsync();
        var store = await OpenStoreAsync(watchCapacity: 10);
        try
        {
            using var stop = new CancellationTokenSource();
            var watch = store.Watch("/p/", 0, stop.Token);

            for (var i = 0; i < 25; i++)
            {
                await store.CreateAsync($"/p/{i}", Bytes("x"));
            }

            var drained = 0;
            await Assert.ThrowsAsync<StoreWatchOverflowException>(async () =>
            {
                await foreach (var _ in watch.ReadAllAsync())
                {
                    drained++;
                }
            });
            Assert.Equal(10, drained);
        }
        finally
        {
            Store = store;
        }
    }

    [Fact]
    public async Task Watch_ReplayLongerThanTheBuffer_DeliversEveryEventToAPatientReader()
    {
        await Store.DisposeAsync();
        Store = await OpenStoreAsync(watchCapacity: 10);
        for (var i = 0; i < 50; i++)
        {
            await Store.CreateAsync($"/p/{i:D2}", Bytes("x"));
        }
        using var stop = new CancellationTokenSource();

        var events = await ReadAsync(Store.Watch("/p/", 0, stop.Token), 50);

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), events.Select(e => e.Value.ModRevision));
    }

    [Fact]
    public async Task DisposingTheStore_CompletesItsWatches()
    {
        await Store.DisposeAsync();
        var store = await OpenStoreAsync();
        var watch = store.Watch("/p/", 0, CancellationToken.None);

        await store.DisposeAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await watch.Completion.WaitAsync(timeout.Token);
        Store = await OpenStoreAsync();
    }
}
