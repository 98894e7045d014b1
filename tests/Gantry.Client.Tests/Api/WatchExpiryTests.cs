using Gantry.Client.Tests.Harness;
using k8s.Models;

namespace Gantry.Client.Tests.Api;

public sealed class WatchExpiryTests
{
    [Fact]
    public async Task Watch_FromCompactedRevision_YieldsExpiredErrorAndEnds()
    {
        await using var server = await TestServer.StartAsync(watchCacheEvents: 5);
        using var client = server.Client();
        var ns = await server.NamespaceAsync(client);
        var maps = client.For<V1ConfigMap>();
        var first = await maps.CreateAsync(Objects.ConfigMap(ns, "old"));
        for (var i = 0; i < 20; i++) await maps.CreateAsync(Objects.ConfigMap(ns, $"m{i}"));

        var events = new List<WatchEvent<V1ConfigMap>>();
        await foreach (var e in maps.WatchAsync(ns, new ListOptions { ResourceVersion = first.Metadata.ResourceVersion })) events.Add(e);

        var error = Assert.Single(events);
        Assert.Equal(WatchEventType.Error, error.Type);
        Assert.Equal(410, error.Status!.Code);
    }

    [Fact]
    public async Task Watch_WithBookmarks_ReportsProgress()
    {
        await using var server = await TestServer.StartAsync(bookmarkInterval: TimeSpan.FromMilliseconds(200));
        using var client = server.Client();
        var ns = await server.NamespaceAsync(client);
        var list = await client.For<V1ConfigMap>().ListAsync(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var e in client.For<V1ConfigMap>().WatchAsync(ns, new ListOptions { ResourceVersion = list.ResourceVersion }, allowBookmarks: true, cts.Token))
        {
            Assert.Equal(WatchEventType.Bookmark, e.Type);
            Assert.False(string.IsNullOrEmpty(e.ResourceVersion));
            break;
        }
    }
}
