using System.Text;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Cache;
using Gantry.Storage;

namespace Gantry.ApiServer.Tests.Unit;

public sealed class WatchCacheRingTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualTime : TimeProvider
    {
        public long Now { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Now;

        public void Advance(TimeSpan by) => Now += by.Ticks;
    }

    private readonly ManualTime _time = new();
    private long _revision;

    private ResourceCache Cache(int capacity) =>
        new("/registry/configmaps/", new Dictionary<string, Func<JsonObject, string?>>(), capacity, new CacheClock(), time: _time);

    private void Write(ResourceCache cache, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var revision = ++_revision;
            var value = new StoredValue($"/registry/configmaps/default/c{revision}", Encoding.UTF8.GetBytes($$$"""{"metadata":{"name":"c{{{revision}}}"}}"""), revision, revision);
            cache.Apply(new StoreEvent(StoreEventType.Created, value, null));
        }
    }

    private static int Drain(CacheWatcher watcher)
    {
        var count = 0;
        while (watcher.Events.TryRead(out _)) count++;
        return count;
    }

    [Fact]
    public void Ring_GrowsWhileItsEventsAreFresh_SoAWatchFarBackResumes()
    {
        var cache = Cache(100 * 1024);
        Write(cache, 5_000);

        Assert.Equal(8_192, cache.RingLength);
        using var watcher = cache.Watch(null, 1, initial: false, capacity: 10);
        Assert.NotNull(watcher);
        // Room for the replay on top of the live capacity: all 4,999 arrive and the watch stays open.
        Assert.Equal(4_999, Drain(watcher));
        Assert.False(watcher.Events.Completion.IsCompleted);
    }

    [Fact]
    public void Ring_StopsAtItsCapacity_AndOlderRevisionsExpire()
    {
        var cache = Cache(2_048);
        Write(cache, 3_000);

        Assert.Equal(2_048, cache.RingLength);
        Assert.Null(cache.Watch(null, 1, initial: false, capacity: 10));
        using var recent = cache.Watch(null, 3_000 - 2_048, initial: false, capacity: 10);
        Assert.NotNull(recent);
    }

    [Fact]
    public void Ring_DoesNotGrow_WhenItsOldestEventIsStale()
    {
        var cache = Cache(100 * 1024);
        Write(cache, 1_024);
        _time.Advance(TimeSpan.FromSeconds(80));
        Write(cache, 1);

        Assert.Equal(1_024, cache.RingLength);
    }

    [Fact]
    public void Ring_ShrinksBackOnceAQuarterOfItIsStale_KeepingTheNewestEvents()
    {
        var cache = Cache(100 * 1024);
        Write(cache, 4_096);
        _time.Advance(TimeSpan.FromSeconds(80));
        Write(cache, 1);

        Assert.Equal(2_048, cache.RingLength);
        // The newest 2,048 events stay: revisions 2,050..4,097 (the last one is the write that shrank it).
        Assert.Null(cache.Watch(null, 2_048, initial: false, capacity: 10));
        using var watcher = cache.Watch(null, 2_049, initial: false, capacity: 10);
        Assert.NotNull(watcher);
        Assert.Equal(2_048, Drain(watcher));
    }
}
