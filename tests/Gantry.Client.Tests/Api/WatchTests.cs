using Gantry.Client.Tests.Harness;
using k8s.Models;

namespace Gantry.Client.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class WatchTests(ServerFixture fixture)
{
    private readonly ApiClient _client = fixture.Client;

    [Fact]
    public async Task Watch_FromListRevision_DeliversAddModifyDeleteInOrder()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "before"));
        var list = await maps.ListAsync(ns);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<(WatchEventType, string)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in maps.WatchAsync(ns, new ListOptions { ResourceVersion = list.ResourceVersion }, cancellationToken: cts.Token))
            {
                if (e.Type == WatchEventType.Bookmark) continue;
                seen.Add((e.Type, e.Object!.Metadata.Name));
                if (e.Type == WatchEventType.Deleted) return;
            }
        });
        var created = await maps.CreateAsync(Objects.ConfigMap(ns, "w"));
        created.Data["k"] = "2";
        await maps.UpdateAsync(created);
        await maps.DeleteAsync(ns, "w");
        await watching;

        Assert.Equal([(WatchEventType.Added, "w"), (WatchEventType.Modified, "w"), (WatchEventType.Deleted, "w")], seen);
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_StartsWithCurrentObjects()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "existing"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var e in maps.WatchAsync(ns, cancellationToken: cts.Token))
        {
            Assert.Equal(WatchEventType.Added, e.Type);
            Assert.Equal("existing", e.Object!.Metadata.Name);
            break;
        }
    }

    [Fact]
    public async Task Watch_WithFieldSelector_SeesOnlyMatchingPods()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var pods = _client.For<V1Pod>();
        var list = await pods.ListAsync(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watching = Task.Run(async () =>
        {
            await foreach (var e in pods.WatchAsync(ns, new ListOptions { FieldSelector = "spec.nodeName=n1", ResourceVersion = list.ResourceVersion },
                               cancellationToken: cts.Token))
            {
                if (e.Type != WatchEventType.Bookmark) return e.Object!.Metadata.Name;
            }
            return null;
        });
        await pods.CreateAsync(Objects.Pod(ns, "elsewhere", nodeName: "n2"));
        await pods.CreateAsync(Objects.Pod(ns, "here", nodeName: "n1"));
        Assert.Equal("here", await watching);
    }
}
