using Gantry.Node.Network.Proxy;
using Gantry.Node.Tests.Network;
using k8s.Models;
using static Gantry.Node.Tests.Proxy.ProxyObjects;

namespace Gantry.Node.Tests.Proxy;

public sealed class ProxyStagingTests
{
    private static readonly ServiceProxyOptions Options = new() { NodeName = "node-a", ClusterCidr = "10.42.0.0/16" };

    private static (V1Service Service, V1EndpointSlice Slice) Versioned(V1Service service, V1EndpointSlice slice, string version)
    {
        (service.Metadata.ResourceVersion, slice.Metadata.ResourceVersion) = ("1", version);
        return (service, slice);
    }

    [Fact]
    public async Task StagedChains_LeaveTheSyncOnlyWhatMakesThemLive_AndTheSameTableAsAPlainSync()
    {
        HostRequirements.Root();
        var cache = new ProxyRulesetCache(Options);
        var web = Versioned(Service("web", "10.43.0.10"), Slice("web", 8080, [new Endpoint("10.42.0.5")]), "1");
        cache.Update([web.Service], [web.Slice]);
        var synced = cache.Current();
        var changedWeb = Versioned(Service("web", "10.43.0.10"), Slice("web", 8080, [new Endpoint("10.42.0.5"), new Endpoint("10.42.0.6")]), "2");
        var api = Versioned(Service("api", "10.43.0.11", affinity: "ClientIP"), Slice("api", 8080, [new Endpoint("10.42.0.7"), new Endpoint("10.42.0.8")]), "1");

        cache.Prepare([changedWeb.Service, api.Service], [changedWeb.Slice, api.Slice]);
        var staged = cache.NewPrepared();
        var stage = NftTransactions.Diff(Options.TableName, new ProxyRuleset(), staged, new HashSet<string>(), out _);
        var (before, after) = cache.Update([changedWeb.Service, api.Service], [changedWeb.Slice, api.Slice]);
        var plain = NftTransactions.Diff(Options.TableName, before, after, new HashSet<string>(), out _);
        before.Add(staged);
        var sync = NftTransactions.Diff(Options.TableName, before, after, new HashSet<string>(), out var flushed);

        // New: web's second endpoint chain, api's service chain and two endpoint chains with their affinity sets; web's live service chain is not staged.
        Assert.Equal(4, staged.Chains.Count);
        Assert.Equal(2, staged.AffinitySets.Count);
        Assert.DoesNotContain(staged.Chains.Keys, c => c.StartsWith("service-", StringComparison.Ordinal) && c.EndsWith("/web/tcp/http", StringComparison.Ordinal));
        Assert.Empty(flushed);
        // Only the live chain that changed (web's service chain) is written again; nothing staged is.
        var lines = sync.Split('\n');
        Assert.Single(lines, l => l.StartsWith("add chain ", StringComparison.Ordinal));
        Assert.All(staged.Chains.Keys, c => Assert.DoesNotContain(lines, l => l.Split(' ').ElementAtOrDefault(4) == c));
        Assert.DoesNotContain("add set", sync, StringComparison.Ordinal);
        Assert.Contains("add element ip " + Options.TableName + " service-ips { 10.43.0.11 . tcp . 80 : goto service-", sync, StringComparison.Ordinal);
        Assert.Contains("numgen random mod 2", sync, StringComparison.Ordinal);
        await using var plainNode = await NetworkNamespace.CreateAsync();
        await using var stagedNode = await NetworkNamespace.CreateAsync();
        foreach (var (ns, transactions) in new[] { (plainNode, new[] { plain }), (stagedNode, new[] { stage, sync }) })
        {
            var nft = new NftTool("nft", ns.Name);
            await nft.ApplyAsync(NftTransactions.Full(Options, synced), CancellationToken.None);
            foreach (var transaction in transactions) await nft.ApplyAsync(transaction, CancellationToken.None);
        }
        var listings = await Task.WhenAll(plainNode.ExecAsync("nft", "list", "table", "ip", Options.TableName), stagedNode.ExecAsync("nft", "list", "table", "ip", Options.TableName));
        Assert.Equal(listings[0].Output, listings[1].Output);
    }

    [Fact]
    public void StagedChains_ThatTheSyncNoLongerNeeds_AreFlushedAndThenDeleted()
    {
        var cache = new ProxyRulesetCache(Options);
        var api = Versioned(Service("api", "10.43.0.11"), Slice("api", 8080, [new Endpoint("10.42.0.7")]), "1");
        cache.Update([], []);

        cache.Prepare([api.Service], [api.Slice]);
        var staged = cache.NewPrepared();
        var (before, after) = cache.Update([], []);
        before.Add(staged);
        var sync = NftTransactions.Diff("t", before, after, new HashSet<string>(), out var flushed);

        Assert.Equal(2, flushed.Count);
        Assert.All(staged.Chains.Keys, c => Assert.Contains($"flush chain ip t {c}", sync, StringComparison.Ordinal));
        Assert.Equal(staged.Chains.Keys.Order(), flushed.Order());
    }
}
