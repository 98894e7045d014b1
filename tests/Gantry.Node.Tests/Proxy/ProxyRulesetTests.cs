using Gantry.Node.Network;
using Gantry.Node.Network.Proxy;
using Gantry.Node.Tests.Network;
using static Gantry.Node.Tests.Proxy.ProxyObjects;

namespace Gantry.Node.Tests.Proxy;

public sealed class ProxyRulesetTests
{
    private static readonly ServiceProxyOptions Options = new() { NodeName = "node-a", ClusterCidr = "10.42.0.0/16" };

    private static ProxyRuleset Rules(params (k8s.Models.V1Service Service, k8s.Models.V1EndpointSlice? Slice)[] objects) =>
        ProxyRulesetBuilder.Build(
            ServicePortCatalog.Build(objects.Select(o => o.Service), objects.Where(o => o.Slice is not null).Select(o => o.Slice!)), Options);

    private static (k8s.Models.V1Service, k8s.Models.V1EndpointSlice?) Web(params Endpoint[] endpoints) =>
        (Service("web", "10.43.0.10"), Slice("web", 8080, endpoints));

    [Fact]
    public void ClusterIP_DispatchesThroughServiceIPsToRandomBalancingOverReadyEndpoints()
    {
        var rules = Rules(Web(new Endpoint("10.42.0.5"), new Endpoint("10.42.0.6"), new Endpoint("10.42.0.7", Ready: false)));

        var serviceChain = Assert.Single(rules.Chains, c => c.Key.StartsWith("service-", StringComparison.Ordinal));
        Assert.EndsWith("-default/web/tcp/http", serviceChain.Key);
        Assert.Equal($"goto {serviceChain.Key}", rules.Elements["service-ips"]["10.43.0.10 . tcp . 80"]);
        Assert.Equal("ip daddr 10.43.0.10 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade", serviceChain.Value[0]);
        Assert.StartsWith("numgen random mod 2 vmap { 0 : goto endpoint-", serviceChain.Value[1]);
        var endpointChains = rules.Chains.Where(c => c.Key.StartsWith("endpoint-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, endpointChains.Count);
        Assert.Contains(endpointChains, c => c.Value.SequenceEqual(["ip saddr 10.42.0.5 jump mark-for-masquerade", "meta l4proto tcp dnat to 10.42.0.5:8080"]));
        Assert.DoesNotContain(endpointChains, c => c.Key.Contains("10.42.0.7", StringComparison.Ordinal));
    }

    [Fact]
    public void NodeLocalServiceIPs_GetNoRulesAtAll_NeitherDnatNorReject()
    {
        var options = Options with { NodeLocalServiceIPs = [System.Net.IPAddress.Parse("10.43.0.53")] };
        var objects = new[] { (Service("kube-dns", "10.43.0.53"), (k8s.Models.V1EndpointSlice?)null), Web(new Endpoint("10.42.0.5")) };
        var rules = ProxyRulesetBuilder.Build(ServicePortCatalog.Build(objects.Select(o => o.Item1), objects.Where(o => o.Item2 is not null).Select(o => o.Item2!)), options);

        Assert.Equal(1, rules.ServicePorts);
        Assert.DoesNotContain(rules.Elements.Values.SelectMany(e => e.Keys), k => k.StartsWith("10.43.0.53 ", StringComparison.Ordinal));
        Assert.All(rules.Chains.Keys, c => Assert.DoesNotContain("kube-dns", c));
    }

    [Fact]
    public void ServiceWithoutEndpoints_IsRejectedThroughTheNoEndpointMap()
    {
        var rules = Rules((Service("web", "10.43.0.10", nodePort: 30080), null));

        Assert.Empty(rules.Chains);
        Assert.Empty(rules.Elements["service-ips"]);
        Assert.Equal("goto reject-chain", rules.Elements["no-endpoint-services"]["10.43.0.10 . tcp . 80"]);
        Assert.Equal("goto reject-chain", rules.Elements["no-endpoint-nodeports"]["tcp . 30080"]);
    }

    [Fact]
    public void TerminatingEndpoints_AreUsedOnlyWhenNoneIsReady()
    {
        var onlyTerminating = Rules(Web(new Endpoint("10.42.0.5", Ready: false, Serving: true, Terminating: true)));
        var mixed = Rules(Web(new Endpoint("10.42.0.5", Ready: false, Serving: true, Terminating: true), new Endpoint("10.42.0.6")));

        Assert.Contains(onlyTerminating.Chains.Keys, c => c.EndsWith("__10.42.0.5/8080", StringComparison.Ordinal));
        Assert.DoesNotContain(mixed.Chains.Keys, c => c.EndsWith("__10.42.0.5/8080", StringComparison.Ordinal));
        Assert.Contains(mixed.Chains.Keys, c => c.EndsWith("__10.42.0.6/8080", StringComparison.Ordinal));
    }

    [Fact]
    public void NodePort_GoesThroughAnExternalChainThatMasquerades()
    {
        var rules = Rules((Service("web", "10.43.0.10", nodePort: 30080), Slice("web", 8080, [new Endpoint("10.42.0.5")])));

        var external = Assert.Single(rules.Chains, c => c.Key.StartsWith("external-", StringComparison.Ordinal));
        Assert.Equal($"goto {external.Key}", rules.Elements["service-nodeports"]["tcp . 30080"]);
        Assert.Equal("jump mark-for-masquerade", external.Value[0]);
        Assert.StartsWith("goto service-", external.Value[1]);
    }

    [Fact]
    public void ExternalPolicyLocal_SendsOutsideTrafficOnlyToLocalEndpoints_AndDropsItWhenThereAreNone()
    {
        var service = Service("web", "10.43.0.10", nodePort: 30080);
        service.Spec.ExternalTrafficPolicy = "Local";
        var withLocal = Rules((service, Slice("web", 8080, [new Endpoint("10.42.0.5", Node: "node-a"), new Endpoint("10.42.1.5", Node: "node-b")])));
        var withoutLocal = Rules((service, Slice("web", 8080, [new Endpoint("10.42.1.5", Node: "node-b")])));

        var local = Assert.Single(withLocal.Chains, c => c.Key.StartsWith("local-", StringComparison.Ordinal));
        Assert.StartsWith("numgen random mod 1 vmap { 0 : goto endpoint-", local.Value.Single());
        Assert.EndsWith("__10.42.0.5/8080 }", local.Value.Single());
        var external = Assert.Single(withLocal.Chains, c => c.Key.StartsWith("external-", StringComparison.Ordinal)).Value;
        Assert.Equal(4, external.Length);
        Assert.StartsWith("ip saddr 10.42.0.0/16 goto service-", external[0]);
        Assert.Equal("fib saddr type local jump mark-for-masquerade", external[1]);
        Assert.StartsWith("fib saddr type local goto service-", external[2]);
        Assert.Equal($"goto {local.Key}", external[3]);
        Assert.Equal("drop", withoutLocal.Elements["no-endpoint-nodeports"]["tcp . 30080"]);
        Assert.StartsWith("goto external-", withoutLocal.Elements["service-nodeports"]["tcp . 30080"]);
    }

    [Fact]
    public void InternalPolicyLocal_LeadsTheClusterIPToLocalEndpointsOnly_AndDropsWhenThereAreNone()
    {
        var service = Service("web", "10.43.0.10");
        service.Spec.InternalTrafficPolicy = "Local";
        var withLocal = Rules((service, Slice("web", 8080, [new Endpoint("10.42.0.5", Node: "node-a"), new Endpoint("10.42.1.5", Node: "node-b")])));
        var withoutLocal = Rules((service, Slice("web", 8080, [new Endpoint("10.42.1.5", Node: "node-b")])));

        var local = Assert.Single(withLocal.Chains, c => c.Key.StartsWith("local-", StringComparison.Ordinal));
        Assert.Equal($"goto {local.Key}", withLocal.Elements["service-ips"]["10.43.0.10 . tcp . 80"]);
        Assert.StartsWith("ip daddr 10.43.0.10 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade", local.Value[0]);
        Assert.EndsWith("__10.42.0.5/8080 }", local.Value[1]);
        Assert.Empty(withoutLocal.Elements["service-ips"]);
        Assert.Equal("drop", withoutLocal.Elements["no-endpoint-services"]["10.43.0.10 . tcp . 80"]);
    }

    [Fact]
    public void LoadBalancerAndExternalIPs_AreEntryPointsThroughTheExternalChain()
    {
        var service = Service("web", "10.43.0.10", nodePort: 30080);
        service.Spec.Type = "LoadBalancer";
        service.Spec.ExternalIPs = ["192.0.2.7"];
        service.Status = new k8s.Models.V1ServiceStatus
        {
            LoadBalancer = new k8s.Models.V1LoadBalancerStatus { Ingress = [new k8s.Models.V1LoadBalancerIngress { Ip = "192.0.2.8" }] },
        };

        var rules = Rules((service, Slice("web", 8080, [new Endpoint("10.42.0.5")])));

        var external = Assert.Single(rules.Chains.Keys, c => c.StartsWith("external-", StringComparison.Ordinal));
        Assert.Equal($"goto {external}", rules.Elements["service-ips"]["192.0.2.7 . tcp . 80"]);
        Assert.Equal($"goto {external}", rules.Elements["service-ips"]["192.0.2.8 . tcp . 80"]);
        Assert.Equal($"goto {external}", rules.Elements["service-nodeports"]["tcp . 30080"]);
        Assert.StartsWith("goto service-", rules.Elements["service-ips"]["10.43.0.10 . tcp . 80"]);
    }

    [Fact]
    public void ClientIPAffinity_RecordsClientsInATimedSetPerEndpoint()
    {
        var rules = Rules((Service("web", "10.43.0.10", affinity: "ClientIP"), Slice("web", 8080, [new Endpoint("10.42.0.5")])));

        var set = Assert.Single(rules.AffinitySets);
        Assert.Equal(10800, set.Value);
        var service = Assert.Single(rules.Chains, c => c.Key.StartsWith("service-", StringComparison.Ordinal));
        Assert.Contains(service.Value, r => r.StartsWith($"ip saddr @{set.Key} goto endpoint-", StringComparison.Ordinal));
        var endpoint = Assert.Single(rules.Chains, c => c.Key.StartsWith("endpoint-", StringComparison.Ordinal));
        Assert.Contains($"update @{set.Key} {{ ip saddr }}", endpoint.Value);
    }

    [Fact]
    public void Masquerade_KeepsThePortsOfTheNodesOwnConnections_AndRandomizesTheOthers()
    {
        var text = NftTransactions.Full(Options, Rules());

        Assert.Contains("\tchain masquerading {\n\t\tmeta mark & 0x4000 == 0 return\n\t\tmeta mark set meta mark ^ 0x4000\n" +
                        "\t\tfib saddr type local masquerade\n\t\tmasquerade fully-random\n\t}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TableName_IsShortValidAndDistinctPerNode()
    {
        var a = ProxyNames.Table("node-a");
        var b = ProxyNames.Table("node-b." + new string('x', 240));

        Assert.NotEqual(a, b);
        Assert.Matches("^gantry-[a-z2-7]{10}$", a);
        Assert.Matches("^gantry-[a-z2-7]{10}$", b);
    }

    [Fact]
    public void Diff_WithNothingChanged_IsEmpty()
    {
        var before = Rules(Web(new Endpoint("10.42.0.5")));

        Assert.Equal("", NftTransactions.Diff("t", before, Rules(Web(new Endpoint("10.42.0.5"))), new HashSet<string>(), out var flushed));
        Assert.Empty(flushed);
    }

    [Fact]
    public void Diff_AddingAnEndpoint_RewritesOnlyTheServiceChainAndAddsTheEndpointChain()
    {
        var before = Rules(Web(new Endpoint("10.42.0.5")), (Service("other", "10.43.0.11"), Slice("other", 80, [new Endpoint("10.42.0.9")])));
        var after = Rules(Web(new Endpoint("10.42.0.5"), new Endpoint("10.42.0.6")), (Service("other", "10.43.0.11"), Slice("other", 80, [new Endpoint("10.42.0.9")])));

        var diff = NftTransactions.Diff("t", before, after, new HashSet<string>(), out var flushed);

        var lines = diff.TrimEnd('\n').Split('\n');
        Assert.Empty(flushed);
        Assert.DoesNotContain(lines, l => l.Contains("element", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("/other/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("add chain ip t endpoint-", StringComparison.Ordinal) && l.EndsWith("__10.42.0.6/8080", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("flush chain ip t service-", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("numgen random mod 2", StringComparison.Ordinal));
        Assert.Equal(7, lines.Length);
    }

    [Fact]
    public void Diff_RemovingAService_DeletesItsElementsFlushesItsChainsAndTheNextDiffDeletesThem()
    {
        var before = Rules(Web(new Endpoint("10.42.0.5")), (Service("other", "10.43.0.11"), Slice("other", 80, [new Endpoint("10.42.0.9")])));
        var after = Rules((Service("other", "10.43.0.11"), Slice("other", 80, [new Endpoint("10.42.0.9")])));

        var diff = NftTransactions.Diff("t", before, after, new HashSet<string>(), out var flushed);
        var cleanup = NftTransactions.Diff("t", after, after, flushed.ToHashSet(), out var flushedAgain);

        Assert.Equal("delete element ip t service-ips { 10.43.0.10 . tcp . 80 }", diff.Split('\n')[0]);
        Assert.Equal(2, flushed.Count);
        Assert.All(flushed, c => Assert.Contains($"flush chain ip t {c}", diff, StringComparison.Ordinal));
        Assert.Equal(flushed.Select(c => $"delete chain ip t {c}"), cleanup.TrimEnd('\n').Split('\n'));
        Assert.Empty(flushedAgain);
    }

    [Fact]
    public void Diff_LosingTheLastEndpoint_MovesTheServiceFromDispatchToReject()
    {
        var before = Rules(Web(new Endpoint("10.42.0.5")));
        var after = Rules(Web());

        var diff = NftTransactions.Diff("t", before, after, new HashSet<string>(), out _);

        Assert.Contains("delete element ip t service-ips { 10.43.0.10 . tcp . 80 }", diff, StringComparison.Ordinal);
        Assert.Contains("add element ip t no-endpoint-services { 10.43.0.10 . tcp . 80 : goto reject-chain }", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_HandsBackOnlyTheChangedServices_AndKeepsTheOthers()
    {
        var cache = new ProxyRulesetCache(Options);
        var (web, webSlice) = (Service("web", "10.43.0.10"), Slice("web", 8080, [new Endpoint("10.42.0.5")]));
        var (other, otherSlice) = (Service("other", "10.43.0.11"), Slice("other", 80, [new Endpoint("10.42.0.9")]));
        foreach (var o in new k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] { web, webSlice, other, otherSlice }) o.Metadata.ResourceVersion = "1";
        var (_, first) = cache.Update([web, other], [webSlice, otherSlice]);
        var changedSlice = Slice("web", 8080, [new Endpoint("10.42.0.6")]);
        changedSlice.Metadata.ResourceVersion = "2";

        var (before, after) = cache.Update([web, other], [changedSlice, otherSlice]);

        Assert.Equal(2, first.ServicePorts);
        Assert.Equal(1, before.ServicePorts);
        Assert.Equal(1, after.ServicePorts);
        Assert.DoesNotContain(after.Chains.Keys, c => c.Contains("/other/", StringComparison.Ordinal));
        Assert.Contains(after.Chains.Keys, c => c.EndsWith("__10.42.0.6/8080", StringComparison.Ordinal));
        Assert.Contains(before.Chains.Keys, c => c.EndsWith("__10.42.0.5/8080", StringComparison.Ordinal));
        Assert.Equal(2, cache.Current().ServicePorts);
        Assert.Equal((2, 2), (cache.ServicePorts, cache.Endpoints));
    }

    [Fact]
    public void Cache_UsesPreparedRulesOnlyForTheVersionsTheyWereBuiltFrom()
    {
        var cache = new ProxyRulesetCache(Options);
        var web = Service("web", "10.43.0.10");
        web.Metadata.ResourceVersion = "1";
        k8s.Models.V1EndpointSlice WebSlice(string address, string version)
        {
            var slice = Slice("web", 8080, [new Endpoint(address)]);
            slice.Metadata.ResourceVersion = version;
            return slice;
        }
        cache.Update([web], [WebSlice("10.42.0.5", "1")]);

        cache.Prepare([web], [WebSlice("10.42.0.6", "2")]);
        var (before, prepared) = cache.Update([web], [WebSlice("10.42.0.6", "2")]);
        cache.Prepare([web], [WebSlice("10.42.0.7", "3")]);
        var (_, outdated) = cache.Update([web], [WebSlice("10.42.0.8", "4")]);

        Assert.Contains(before.Chains.Keys, c => c.EndsWith("__10.42.0.5/8080", StringComparison.Ordinal));
        Assert.Contains(prepared.Chains.Keys, c => c.EndsWith("__10.42.0.6/8080", StringComparison.Ordinal));
        Assert.Contains(outdated.Chains.Keys, c => c.EndsWith("__10.42.0.8/8080", StringComparison.Ordinal));
        Assert.DoesNotContain(outdated.Chains.Keys, c => c.EndsWith("__10.42.0.7/8080", StringComparison.Ordinal));
    }

    [Fact]
    public void Cache_HandsBackARemovedServiceAsBeforeOnly()
    {
        var cache = new ProxyRulesetCache(Options);
        var web = Service("web", "10.43.0.10");
        web.Metadata.ResourceVersion = "1";
        cache.Update([web], []);

        var (before, after) = cache.Update([], []);

        Assert.Equal("goto reject-chain", before.Elements["no-endpoint-services"]["10.43.0.10 . tcp . 80"]);
        Assert.Equal(0, after.ServicePorts);
        Assert.Equal(0, cache.Current().ServicePorts);
    }

    [Fact]
    public async Task LargeDiff_AppliedAsDeclarationsThenChanges_LeavesTheSameTableAsOneTransaction()
    {
        HostRequirements.Root();
        var before = Rules(Web(new Endpoint("10.42.0.5")));
        var services = Enumerable.Range(0, 20).Select(i => (Service($"svc-{i}", $"10.43.1.{i + 1}", affinity: i % 2 == 0 ? "ClientIP" : null),
            (k8s.Models.V1EndpointSlice?)Slice($"svc-{i}", 8080, Enumerable.Range(1, 3).Select(e => new Endpoint($"10.42.{i}.{e}")))));
        var after = Rules([Web(new Endpoint("10.42.0.6")), .. services]);
        var diff = NftTransactions.Diff(Options.TableName, before, after, new HashSet<string>(), out _);

        var (declarations, changes) = NftTransactions.SplitDeclarations(diff, minimumDeclarations: 1);
        await using var whole = await NetworkNamespace.CreateAsync();
        await using var split = await NetworkNamespace.CreateAsync();
        foreach (var (ns, transactions) in new[] { (whole, new[] { diff }), (split, new[] { declarations, changes }) })
        {
            var nft = new NftTool("nft", ns.Name);
            await nft.ApplyAsync(NftTransactions.Full(Options, before), CancellationToken.None);
            foreach (var transaction in transactions) await nft.ApplyAsync(transaction, CancellationToken.None);
        }

        Assert.Equal(diff, declarations + changes);
        // 20 services of 3 endpoints (4 chains each; affinity sets for every other one), web's changed and new chain.
        Assert.Equal(20 * 4 + 10 * 3 + 2, declarations.TrimEnd('\n').Split('\n').Length);
        Assert.DoesNotContain("add chain", changes, StringComparison.Ordinal);
        Assert.Equal("", NftTransactions.SplitDeclarations(diff, minimumDeclarations: 113).Declarations);
        var listings = await Task.WhenAll(whole.ExecAsync("nft", "list", "table", "ip", Options.TableName), split.ExecAsync("nft", "list", "table", "ip", Options.TableName));
        Assert.Contains("10.43.1.20 . tcp . 80 : goto service-", listings[0].Output, StringComparison.Ordinal);
        Assert.Equal(listings[0].Output, listings[1].Output);
    }

    [Fact]
    public async Task FullAndDiffTransactions_AreAcceptedByNft()
    {
        HostRequirements.Root();
        var options = Options with { NodePortAddresses = [System.Net.IPAddress.Parse("192.0.2.1")] };
        var before = ProxyRulesetBuilder.Build(ServicePortCatalog.Build(
            [Service("web", "10.43.0.10", nodePort: 30080, affinity: "ClientIP"), Service("empty", "10.43.0.12")],
            [Slice("web", 8080, [new Endpoint("10.42.0.5"), new Endpoint("10.42.0.6")])]), options);
        var after = ProxyRulesetBuilder.Build(ServicePortCatalog.Build(
            [Service("web", "10.43.0.10", nodePort: 30080), Service("empty", "10.43.0.12")],
            [Slice("web", 8080, [new Endpoint("10.42.0.6")]), Slice("empty", 80, [new Endpoint("10.42.0.7")])]), options);
        var transaction = NftTransactions.Full(options, before) + NftTransactions.Diff(options.TableName, before, after, new HashSet<string>(), out _);

        // -c: check only, nothing is applied.
        var result = await HostCommand.RunAsync("nft", ["-c", "-f", "-"], transaction, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error + "\n" + transaction);
    }
}
