using Gantry.Node.Network.Overlay;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Node.Tests.Overlay;

/// <summary>Two simulated hosts (see <see cref="OverlayHosts"/>) and a real API server: pod traffic between them over each backend.</summary>
public sealed class OverlayTrafficTests(OverlayApiFixture fixture) : IClassFixture<OverlayApiFixture>
{
    [Theory]
    [InlineData(OverlayBackend.HostGw)]
    [InlineData(OverlayBackend.Vxlan)]
    public async Task PodsOnTwoHosts_ReachEachOtherWithoutNat_AreMasqueradedLeavingTheCluster_UntilANodeGoes(OverlayBackend backend)
    {
        await using var hosts = await OverlayHosts.CreateAsync();
        var overlays = new List<OverlayNetwork>();
        try
        {
            await RegisterAsync(hosts, 1);
            await RegisterAsync(hosts, 2);
            if (backend == OverlayBackend.HostGw)
            {
                // As if host 1 ran VXLAN before: switching backends drops its own device.
                await hosts.InHostAsync(1, "ip", "link", "add", "flannel.1", "address", VtepMacOf(hosts, 1), "type", "vxlan", "id", "1", "dstport", "8472");
            }
            overlays.Add(await StartAsync(hosts, 1, backend));
            overlays.Add(await StartAsync(hosts, 2, backend));
            await Eventually.HoldsAsync(() => Task.FromResult(overlays.All(o => o.LastSync?.Peers.Count == 1)), "both overlays route to the other node");

            Assert.True(await hosts.PingAsync(), "pod 1 pings pod 2 on the other host");
            Assert.Equal(backend == OverlayBackend.Vxlan, (await hosts.InHostAsync(1, "ip", "link", "show")).Contains("flannel.1", StringComparison.Ordinal));
            var pods = overlays[0].PodNetworkOptions(new Gantry.Node.Network.CniNetworkOptions());
            Assert.False(pods.IpMasq);
            Assert.Equal(backend == OverlayBackend.Vxlan ? 1450 : 1500, pods.Mtu);
            Assert.Contains(OverlayHosts.PodIp(1), await hosts.PeerSeenByPod2Async());
            Assert.Contains(OverlayHosts.HostIp(1), await hosts.PeerSeenByHost2Async());
            var published = (await fixture.Api.Client.For<V1Node>().GetAsync(null, NodeName(hosts, 1)))!.Metadata.Annotations;
            Assert.Equal(FlannelAnnotations.TypeName(backend), published[FlannelAnnotations.BackendType]);
            Assert.Equal(OverlayHosts.HostIp(1), published[FlannelAnnotations.PublicIp]);

            await fixture.Api.Client.For<V1Node>().DeleteAsync(null, NodeName(hosts, 2));
            await Eventually.HoldsAsync(async () => (await hosts.InHostAsync(1, "ip", "route", "show", "proto", "90")).Trim().Length == 0,
                "host 1's route to the deleted node's pods is gone");
            if (backend == OverlayBackend.Vxlan)
            {
                Assert.Empty((await hosts.InHostAsync(1, "ip", "neigh", "show", "dev", "flannel.1", "nud", "permanent")).Trim());
                Assert.DoesNotContain(" dst ", await hosts.InHostAsync(1, "bridge", "fdb", "show", "dev", "flannel.1"));
            }
            Assert.False(await hosts.PingAsync(), "no route to the deleted node's pods");
        }
        finally
        {
            await StopAsync(hosts, overlays);
        }
    }

    [Fact]
    public async Task Restart_KeepsDeviceAndRoutes_AndRemovesOnlyStaleOwnEntries()
    {
        await using var hosts = await OverlayHosts.CreateAsync();
        var overlays = new List<OverlayNetwork>();
        try
        {
            await StartTwoVxlanNodesAsync(hosts, overlays);

            await overlays[0].DisposeAsync();
            Assert.True(await hosts.PingAsync(), "routes outlive the stopped overlay");
            const string staleMac = "02:00:00:00:00:99";
            await hosts.InHostAsync(1, "ip", "neigh", "add", "10.42.9.0", "lladdr", staleMac, "dev", "flannel.1", "nud", "permanent");
            await hosts.InHostAsync(1, "bridge", "fdb", "append", staleMac, "dev", "flannel.1", "dst", "192.168.77.9", "self", "permanent");
            await hosts.InHostAsync(1, "ip", "route", "add", "10.42.9.0/24", "via", "10.42.9.0", "dev", "flannel.1", "onlink", "proto", "90");
            await hosts.InHostAsync(1, "ip", "route", "add", "10.42.8.0/24", "via", OverlayHosts.HostIp(2));
            overlays[0] = await StartAsync(hosts, 1, OverlayBackend.Vxlan);
            await Eventually.HoldsAsync(() => Task.FromResult(overlays[0].LastSync is not null), "the restarted overlay syncs");

            var routes = await hosts.InHostAsync(1, "ip", "route", "show");
            Assert.DoesNotContain("10.42.9.0/24", routes);
            Assert.Contains("10.42.8.0/24", routes);
            Assert.Contains("10.42.2.0/24 via 10.42.2.0 dev flannel.1 proto 90 onlink", routes);
            Assert.DoesNotContain(staleMac, await hosts.InHostAsync(1, "ip", "neigh", "show", "dev", "flannel.1"));
            Assert.DoesNotContain(staleMac, await hosts.InHostAsync(1, "bridge", "fdb", "show", "dev", "flannel.1"));
            Assert.Contains(overlays[0].VtepMac, await hosts.InHostAsync(1, "ip", "link", "show", "dev", "flannel.1"));
            Assert.True(await hosts.PingAsync());
        }
        finally
        {
            await StopAsync(hosts, overlays);
        }
    }

    [Fact]
    public async Task RemoveAll_TakesAwayRoutesDeviceAndRules()
    {
        await using var hosts = await OverlayHosts.CreateAsync();
        var overlays = new List<OverlayNetwork>();
        try
        {
            await StartTwoVxlanNodesAsync(hosts, overlays);
            var table = new OverlayOptions { NodeName = NodeName(hosts, 1) }.TableName;
            Assert.Contains("masquerade", await ListTableAsync(hosts, table));

            await overlays[0].RemoveAllAsync(CancellationToken.None);

            Assert.Empty((await hosts.InHostAsync(1, "ip", "route", "show", "proto", "90")).Trim());
            Assert.DoesNotContain("flannel.1", await hosts.InHostAsync(1, "ip", "link", "show"));
            Assert.Equal("", await ListTableAsync(hosts, table));
        }
        finally
        {
            await StopAsync(hosts, overlays);
        }
    }

    private static async Task<string> ListTableAsync(OverlayHosts hosts, string table)
    {
        var result = await Gantry.Node.Network.HostCommand.RunAsync("ip", ["netns", "exec", hosts.Host(1), "nft", "list", "table", "ip", table], null, CancellationToken.None);
        return result.Succeeded ? result.Output : "";
    }

    private static string NodeName(OverlayHosts hosts, int n) => $"overlay-{hosts.Id}-{n}";

    private static string VtepMacOf(OverlayHosts hosts, int n) => OverlayNames.VtepMac(NodeName(hosts, n));

    /// <summary>Registers both hosts as nodes and runs a VXLAN overlay on each until each routes to the other.</summary>
    private async Task StartTwoVxlanNodesAsync(OverlayHosts hosts, List<OverlayNetwork> overlays)
    {
        await RegisterAsync(hosts, 1);
        await RegisterAsync(hosts, 2);
        overlays.Add(await StartAsync(hosts, 1, OverlayBackend.Vxlan));
        overlays.Add(await StartAsync(hosts, 2, OverlayBackend.Vxlan));
        await Eventually.HoldsAsync(() => Task.FromResult(overlays.All(o => o.LastSync?.Peers.Count == 1)), "both overlays route to the other node");
    }

    private async Task RegisterAsync(OverlayHosts hosts, int n)
    {
        var nodes = fixture.Api.Client.For<V1Node>();
        var node = await nodes.CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = NodeName(hosts, n) },
            Spec = new V1NodeSpec { PodCIDR = OverlayHosts.PodCidr(n), PodCIDRs = [OverlayHosts.PodCidr(n)] },
        });
        node.Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = OverlayHosts.HostIp(n) }] };
        await nodes.UpdateStatusAsync(node);
    }

    private async Task<OverlayNetwork> StartAsync(OverlayHosts hosts, int n, OverlayBackend backend) =>
        (await OverlayNetwork.StartAsync(fixture.Api.Client, new OverlayOptions
        {
            NodeName = NodeName(hosts, n),
            NodeIp = OverlayHosts.HostIp(n),
            Backend = backend,
            NetworkNamespace = hosts.Host(n),
            MinSyncInterval = TimeSpan.FromMilliseconds(50),
        }))!;

    private async Task StopAsync(OverlayHosts hosts, List<OverlayNetwork> overlays)
    {
        foreach (var overlay in overlays)
        {
            await overlay.RemoveAllAsync(CancellationToken.None);
            await overlay.DisposeAsync();
        }
        foreach (var n in new[] { 1, 2 }) await fixture.Api.Client.For<V1Node>().DeleteAsync(null, NodeName(hosts, n));
    }
}
