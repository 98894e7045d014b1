using System.Collections.Concurrent;
using Gantry.Client.Informers;
using Gantry.Client.Tests.Harness;
using k8s.Models;

namespace Gantry.Client.Tests.Informers;

public sealed class InformerRecoveryTests
{
    [Fact]
    public async Task Informer_AfterServerRestart_RelistsAndReportsMissedChanges()
    {
        await using var server = await TestServer.StartAsync(datastore: null);
        using var client = server.Client();
        var ns = await server.NamespaceAsync(client);
        var maps = client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "kept"));
        await maps.CreateAsync(Objects.ConfigMap(ns, "doomed"));

        await using var factory = new SharedInformerFactory(client);
        var informer = factory.For<V1ConfigMap>(new InformerOptions { Namespace = ns });
        var deleted = new ConcurrentQueue<string>();
        informer.AddEventHandler(onDelete: o => deleted.Enqueue(o.Metadata.Name));
        factory.Start(CancellationToken.None);
        await factory.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        await server.StopAsync();
        await server.StartAgainAsync();
        // Changes made while the informer was cut off (a missed delete must show up as a tombstone OnDelete).
        using (var other = server.Client())
        {
            await other.For<V1ConfigMap>().DeleteAsync(ns, "doomed");
            await other.For<V1ConfigMap>().CreateAsync(Objects.ConfigMap(ns, "new"));
        }

        await Eventually.TrueAsync(() => informer.Get(ns, "new") is not null && informer.Get(ns, "doomed") is null, "cache caught up", 20);
        Assert.Equal(["doomed"], deleted);
        Assert.NotNull(informer.Get(ns, "kept"));
    }

    [Fact]
    public async Task Informer_WhenItsRevisionExpires_RelistsAndCarriesOn()
    {
        await using var server = await TestServer.StartAsync(watchCacheEvents: 5);
        using var client = server.Client();
        var ns = await server.NamespaceAsync(client);
        var maps = client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "seed"));

        var gated = new GatedResourceClient<V1ConfigMap>(maps);
        var logs = new CapturingLoggerFactory();
        var informer = new Informer<V1ConfigMap>(gated, new InformerOptions { Namespace = ns }, loggers: logs);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        // While the watch is cut, push the informer's resourceVersion out of the server's 5-event window: resuming gets 410.
        gated.Cut();
        for (var i = 0; i < 20; i++) await maps.CreateAsync(Objects.ConfigMap(ns, $"m{i}"));
        gated.Reopen();

        await Eventually.TrueAsync(() => informer.Cache.Count == 21, "all objects after relist", 20);
        Assert.Equal(2, gated.Lists);
        Assert.Contains(logs.Messages, m => m.Contains("watch expired", StringComparison.Ordinal));
        await maps.CreateAsync(Objects.ConfigMap(ns, "after"));
        await Eventually.TrueAsync(() => informer.Get(ns, "after") is not null, "watch resumed");
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Informer_WhenItsStreamBreaks_AppliesWhatArrivedAndResumesWithoutARelist()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        var ns = await server.NamespaceAsync(client);
        var maps = client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "seed"));

        var gated = new GatedResourceClient<V1ConfigMap>(maps);
        var informer = new Informer<V1ConfigMap>(gated, new InformerOptions { Namespace = ns });
        var added = new ConcurrentQueue<string>();
        informer.AddEventHandler(onAdd: o => added.Enqueue(o.Metadata.Name));
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        // The events decoded before the break are applied, in order, and the watch resumes after the last of them.
        gated.BreakAfter(3);
        for (var i = 0; i < 8; i++) await maps.CreateAsync(Objects.ConfigMap(ns, $"m{i}"));

        await Eventually.TrueAsync(() => added.Count == 9, "every create seen", 20);
        Assert.Equal(["seed", .. Enumerable.Range(0, 8).Select(i => $"m{i}")], added);
        Assert.Equal(1, gated.Breaks);
        Assert.Equal(1, gated.Lists);
        await cts.CancelAsync();
        await run;
    }
}
