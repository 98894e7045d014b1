using System.Net;
using Gantry.Node.Network.Overlay;
using k8s.Models;

namespace Gantry.Node.Tests.Overlay;

public sealed class OverlayPlanTests
{
    private static readonly IPNetwork Cluster = IPNetwork.Parse("10.42.0.0/16");
    private static readonly IPNetwork Own = IPNetwork.Parse("10.42.1.0/24");
    private static readonly IPAddress OwnIp = IPAddress.Parse("192.168.1.1");

    internal static V1Node Node(string name, string? podCidr, string? internalIp, OverlayBackend? announced = null, string mac = "02:00:00:00:00:02", string? publicIp = null)
    {
        var annotations = new Dictionary<string, string>();
        if (announced is { } backend)
        {
            foreach (var (key, value) in FlannelAnnotations.For(backend, IPAddress.Parse(publicIp ?? internalIp ?? "192.168.1.1"), 1, mac)) annotations[key] = value;
            if (publicIp is null) annotations.Remove(FlannelAnnotations.PublicIp);
        }
        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
            Spec = new V1NodeSpec { PodCIDR = podCidr },
            Status = new V1NodeStatus { Addresses = internalIp is null ? [] : [new V1NodeAddress { Type = "InternalIP", Address = internalIp }] },
        };
    }

    [Fact]
    public void Peers_SkipSelfAndNodesWithoutPodCidrOrAddress()
    {
        var peers = OverlayPlan.Peers([
            Node("self", "10.42.1.0/24", "192.168.1.1"),
            Node("b", "10.42.2.0/24", "192.168.1.2"),
            Node("no-cidr", null, "192.168.1.3"),
            Node("no-ip", "10.42.4.0/24", null),
        ], "self", OwnIp, Cluster, Own, OverlayBackend.HostGw);

        var peer = Assert.Single(peers);
        Assert.Equal("b", peer.NodeName);
        Assert.Equal(IPNetwork.Parse("10.42.2.0/24"), peer.PodCidr);
        Assert.Equal(IPAddress.Parse("192.168.1.2"), peer.PublicIp);
    }

    [Fact]
    public void Peers_SkipPodCidrsOutsideTheClusterOrOverlappingOurs()
    {
        var peers = OverlayPlan.Peers([
            Node("outside", "10.99.2.0/24", "192.168.1.2"),
            Node("overlapping", "10.42.1.0/24", "192.168.1.3"),
            Node("wider", "10.0.0.0/8", "192.168.1.4"),
            Node("ipv6", "fd00::/64", "192.168.1.5"),
        ], "self", OwnIp, Cluster, Own, OverlayBackend.HostGw);

        Assert.Empty(peers);
    }

    [Fact]
    public void Peers_SkipNodesAtOurOwnAddress()
    {
        var peers = OverlayPlan.Peers([Node("same-host", "10.42.2.0/24", "192.168.1.1")], "self", OwnIp, Cluster, Own, OverlayBackend.HostGw);

        Assert.Empty(peers);
    }

    [Fact]
    public void Peers_PreferThePublicIpAnnotationOverTheInternalIp()
    {
        var peers = OverlayPlan.Peers([Node("b", "10.42.2.0/24", "192.168.1.2", OverlayBackend.HostGw, publicIp: "192.168.9.9")],
            "self", OwnIp, Cluster, Own, OverlayBackend.HostGw);

        Assert.Equal(IPAddress.Parse("192.168.9.9"), Assert.Single(peers).PublicIp);
    }

    [Fact]
    public void Peers_SkipNodesAnnouncingAnotherBackend()
    {
        var nodes = new[] { Node("vx", "10.42.2.0/24", "192.168.1.2", OverlayBackend.Vxlan), Node("gw", "10.42.3.0/24", "192.168.1.3", OverlayBackend.HostGw) };

        Assert.Equal("gw", Assert.Single(OverlayPlan.Peers(nodes, "self", OwnIp, Cluster, Own, OverlayBackend.HostGw)).NodeName);
        Assert.Equal("vx", Assert.Single(OverlayPlan.Peers(nodes, "self", OwnIp, Cluster, Own, OverlayBackend.Vxlan)).NodeName);
    }

    [Fact]
    public void Peers_ForVxlan_NeedTheDeviceMacFromTheBackendData()
    {
        var peers = OverlayPlan.Peers([Node("unannounced", "10.42.2.0/24", "192.168.1.2"), Node("b", "10.42.3.0/24", "192.168.1.3", OverlayBackend.Vxlan, "02:AA:BB:CC:DD:EE")],
            "self", OwnIp, Cluster, Own, OverlayBackend.Vxlan);

        Assert.Equal("02:aa:bb:cc:dd:ee", Assert.Single(peers).VtepMac);
    }

    [Fact]
    public void Wanted_ForHostGw_IsARouteViaEachNodeIpOnTheUplink()
    {
        var peers = OverlayPlan.Peers([Node("b", "10.42.2.0/24", "192.168.1.2")], "self", OwnIp, Cluster, Own, OverlayBackend.HostGw);

        var wanted = OverlayPlan.Wanted(peers, OverlayBackend.HostGw, "eth0", "flannel.1");

        Assert.Equal([new OverlayRoute(IPNetwork.Parse("10.42.2.0/24"), IPAddress.Parse("192.168.1.2"), "eth0", false)], wanted.Routes);
        Assert.Empty(wanted.Neighbors);
        Assert.Empty(wanted.Fdb);
    }

    [Fact]
    public void Wanted_ForVxlan_IsAnOnlinkRouteViaThePeersDotZeroWithNeighborAndFdbEntries()
    {
        var peers = OverlayPlan.Peers([Node("b", "10.42.2.0/24", "192.168.1.2", OverlayBackend.Vxlan, "02:00:00:00:00:02")], "self", OwnIp, Cluster, Own, OverlayBackend.Vxlan);

        var wanted = OverlayPlan.Wanted(peers, OverlayBackend.Vxlan, "eth0", "flannel.1");

        Assert.Equal([new OverlayRoute(IPNetwork.Parse("10.42.2.0/24"), IPAddress.Parse("10.42.2.0"), "flannel.1", true)], wanted.Routes);
        Assert.Equal([new OverlayNeighbor(IPAddress.Parse("10.42.2.0"), "02:00:00:00:00:02")], wanted.Neighbors);
        Assert.Equal([new OverlayFdbEntry("02:00:00:00:00:02", IPAddress.Parse("192.168.1.2"))], wanted.Fdb);
    }

    [Fact]
    public void Changes_DeleteWhatIsGoneReplaceWhatChangedAndKeepTheRest()
    {
        var kept = new OverlayRoute(IPNetwork.Parse("10.42.2.0/24"), IPAddress.Parse("192.168.1.2"), "eth0", false);
        var moved = new OverlayRoute(IPNetwork.Parse("10.42.3.0/24"), IPAddress.Parse("192.168.1.3"), "eth0", false);
        var movedNow = moved with { Gateway = IPAddress.Parse("192.168.1.33") };
        var gone = new OverlayRoute(IPNetwork.Parse("10.42.4.0/24"), IPAddress.Parse("192.168.1.4"), "eth0", false);
        var added = new OverlayRoute(IPNetwork.Parse("10.42.5.0/24"), IPAddress.Parse("192.168.1.5"), "eth0", false);
        var oldFdb = new OverlayFdbEntry("02:00:00:00:00:03", IPAddress.Parse("192.168.1.3"));
        var newFdb = oldFdb with { Destination = IPAddress.Parse("192.168.1.33") };

        var changes = OverlayChanges.Between(new OverlayKernelState([kept, moved, gone], [], [oldFdb]), new OverlayKernelState([kept, movedNow, added], [], [newFdb]));

        Assert.Equal([gone], changes.RouteDeletes);
        Assert.Equal([movedNow, added], changes.RouteAdds);
        Assert.Equal([oldFdb], changes.FdbDeletes);
        Assert.Equal([newFdb], changes.FdbAdds);
        Assert.Equal(5, changes.Count);
    }

    [Fact]
    public void Changes_BetweenEqualStates_AreNone()
    {
        var peers = OverlayPlan.Peers([Node("b", "10.42.2.0/24", "192.168.1.2", OverlayBackend.Vxlan)], "self", OwnIp, Cluster, Own, OverlayBackend.Vxlan);
        var wanted = OverlayPlan.Wanted(peers, OverlayBackend.Vxlan, "eth0", "flannel.1");

        Assert.Equal(0, OverlayChanges.Between(wanted, wanted).Count);
    }

    [Theory]
    [InlineData("10.42.1.7/24", "10.42.1.0/24")]
    [InlineData("10.42.0.0/16", "10.42.0.0/16")]
    public void TryParseNetwork_NormalizesToTheNetworkAddress(string text, string expected)
    {
        Assert.True(OverlayPlan.TryParseNetwork(text, out var network));
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData("10.42.1.0")]
    [InlineData("10.42.1.0/33")]
    [InlineData("fd00::/64")]
    [InlineData("nonsense/8")]
    public void TryParseNetwork_RejectsAnythingButIpv4Cidrs(string text) => Assert.False(OverlayPlan.TryParseNetwork(text, out _));
}
