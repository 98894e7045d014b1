using System.Collections.Concurrent;
using Gantry.Client.Informers;
using Gantry.Client.Tests.Harness;
using k8s.Models;

namespace Gantry.Client.Tests.Informers;

[Collection(ServerCollection.Name)]
public sealed class InformerTests(ServerFixture fixture)
{
    private readonly ApiClient _client = fixture.Client;

    [Fact]
    public async Task Informer_ListsThenWatches_CallingHandlersAndKeepingTheCache()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "a"));
        await using var factory = new SharedInformerFactory(_client);
        var informer = factory.For<V1ConfigMap>(new InformerOptions { Namespace = ns });
        var log = new ConcurrentQueue<string>();
        informer.AddEventHandler(
            onAdd: o => log.Enqueue($"add {o.Metadata.Name}"),
            onUpdate: (old, cur) => log.Enqueue($"update {cur.Metadata.Name} {old.Data["k"]}->{cur.Data["k"]}"),
            onDelete: o => log.Enqueue($"delete {o.Metadata.Name}"));
        factory.Start(CancellationToken.None);
        await factory.WaitForCacheSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.True(informer.HasSynced);
        Assert.NotNull(informer.Get(ns, "a"));

        var b = await maps.CreateAsync(Objects.ConfigMap(ns, "b"));
        b.Data["k"] = "v2";
        await maps.UpdateAsync(b);
        await maps.DeleteAsync(ns, "a");
        await Eventually.TrueAsync(() => log.Count == 4, "four events");

        Assert.Equal(["add a", "add b", "update b v->v2", "delete a"], log);
        Assert.Null(informer.Get(ns, "a"));
        Assert.Equal("v2", informer.Get(ns, "b")!.Data["k"]);
        Assert.Equal(["b"], informer.List(ns).Select(m => m.Metadata.Name));
    }

    [Fact]
    public async Task Informer_CachesObjectsWithoutManagedFields_ListedOrWatched()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "listed"));
        await using var factory = new SharedInformerFactory(_client);
        var informer = factory.For<V1ConfigMap>(new InformerOptions { Namespace = ns });
        factory.Start(CancellationToken.None);
        await factory.WaitForCacheSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        var watched = await maps.CreateAsync(Objects.ConfigMap(ns, "watched"));
        watched.Data["k"] = "v2";
        await maps.UpdateAsync(watched);
        await Eventually.TrueAsync(() => informer.Get(ns, "watched")?.Data["k"] == "v2", "the update watched");

        Assert.NotEmpty((await maps.GetAsync(ns, "listed"))!.Metadata.ManagedFields);
        Assert.Null(informer.Get(ns, "listed")!.Metadata.ManagedFields);
        Assert.Null(informer.Get(ns, "watched")!.Metadata.ManagedFields);
        Assert.Equal("watched", informer.Get(ns, "watched")!.Metadata.Name);
    }

    [Fact]
    public async Task Factory_SharesOneInformerPerTypeAndSelection()
    {
        await using var factory = new SharedInformerFactory(_client);
        Assert.Same(factory.For<V1Pod>(), factory.For<V1Pod>());
        Assert.NotSame(factory.For<V1Pod>(), factory.For<V1Pod>(new InformerOptions { FieldSelector = "spec.nodeName=n1" }));
    }

    [Fact]
    public async Task Indexers_FindPodsByNodeAndOwner()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var pods = _client.For<V1Pod>();
        var owned = Objects.Pod(ns, "owned", nodeName: "n1");
        owned.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "rs", Uid = "owner-1", Controller = true }];
        await pods.CreateAsync(owned);
        await pods.CreateAsync(Objects.Pod(ns, "lonely", nodeName: "n2"));

        await using var factory = new SharedInformerFactory(_client);
        var informer = factory.For<V1Pod>(new InformerOptions { Namespace = ns });
        informer.AddIndexer("node", p => p.Spec.NodeName is { } n ? [n] : []);
        informer.AddIndexer("owner", p => p.Metadata.OwnerReferences?.Select(o => o.Uid) ?? []);
        factory.Start(CancellationToken.None);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["owned"], informer.ByIndex("owner", "owner-1").Select(p => p.Metadata.Name));
        Assert.Equal(["lonely"], informer.ByIndex("node", "n2").Select(p => p.Metadata.Name));
        Assert.Equal(2, informer.ByIndex(ObjectCache<V1Pod>.NamespaceIndex, ns).Count);

        await _client.For<V1Pod>().PatchAsync(ns, "lonely", PatchType.Merge, """{"metadata":{"labels":{"moved":"yes"}}}""");
        await pods.DeleteAsync(ns, "owned", new DeleteOptions { GracePeriodSeconds = 0 });
        await Eventually.TrueAsync(() => informer.ByIndex("owner", "owner-1").Count == 0, "owner index emptied");
        Assert.Single(informer.ByIndex("node", "n2"));
    }

    [Fact]
    public async Task FieldSelectedInformer_SeesOnlyItsNodesPods()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var pods = _client.For<V1Pod>();
        await using var factory = new SharedInformerFactory(_client);
        var informer = factory.For<V1Pod>(new InformerOptions { Namespace = ns, FieldSelector = "spec.nodeName=n1" });
        factory.Start(CancellationToken.None);
        await factory.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        await pods.CreateAsync(Objects.Pod(ns, "unscheduled"));
        await _client.BindAsync(ns, "unscheduled", "n1");
        await pods.CreateAsync(Objects.Pod(ns, "other", nodeName: "n2"));
        await Eventually.TrueAsync(() => informer.Get(ns, "unscheduled") is not null, "bound pod enters the selection");
        Assert.Null(informer.Get(ns, "other"));
    }

    [Fact]
    public async Task HandlerAddedAfterSync_GetsExistingObjectsAsAdds()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        await _client.For<V1ConfigMap>().CreateAsync(Objects.ConfigMap(ns, "x"));
        await using var factory = new SharedInformerFactory(_client);
        var informer = factory.For<V1ConfigMap>(new InformerOptions { Namespace = ns });
        factory.Start(CancellationToken.None);
        await factory.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        var added = new List<string>();
        using var registration = informer.AddEventHandler(onAdd: o => added.Add(o.Metadata.Name));
        Assert.Equal(["x"], added);
    }

    [Fact]
    public async Task Resync_RedeliversCachedObjectsAsUpdates()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        await _client.For<V1ConfigMap>().CreateAsync(Objects.ConfigMap(ns, "r"));
        await using var factory = new SharedInformerFactory(_client, defaultResync: TimeSpan.FromMilliseconds(100));
        var informer = factory.For<V1ConfigMap>(new InformerOptions { Namespace = ns });
        var resyncs = 0;
        informer.AddEventHandler(onUpdate: (old, cur) => { if (ReferenceEquals(old, cur)) Interlocked.Increment(ref resyncs); });
        factory.Start(CancellationToken.None);
        await Eventually.TrueAsync(() => Volatile.Read(ref resyncs) >= 2, "two resyncs");
    }
}
