using System.Net;
using ARSoft.Tools.Net.Dns;
using Gantry.Node.Network.Dns;
using k8s.Models;

namespace Gantry.Node.Tests.Dns;

public sealed class DnsZoneTests
{
    private static DnsZone Zone(params V1Service[] services) => DnsZone.Build("Cluster.Local.", 5, 1, services, [], []);

    private static V1Service Service(string name, params string[] ips) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { ClusterIP = ips[0], ClusterIPs = ips, Ports = [new V1ServicePort { Port = 80, Protocol = "TCP" }] },
    };

    [Fact]
    public void DualStackService_HasAAndAaaaRecords()
    {
        var node = Zone(Service("web", "10.43.0.5", "fd00:43::5")).Find("web.default.svc.cluster.local");

        Assert.NotNull(node);
        Assert.Equal(IPAddress.Parse("10.43.0.5"), Assert.IsType<ARecord>(Assert.Single(node.Answer(RecordType.A))).Address);
        Assert.Equal(IPAddress.Parse("fd00:43::5"), Assert.IsType<AaaaRecord>(Assert.Single(node.Answer(RecordType.Aaaa))).Address);
    }

    [Fact]
    public void UnnamedPort_AnswersSrvOnTheServiceNameOnly()
    {
        var zone = Zone(Service("web", "10.43.0.5"));

        var srv = Assert.IsType<SrvRecord>(Assert.Single(zone.Find("web.default.svc.cluster.local")!.Answer(RecordType.Srv)));
        Assert.Equal(80, srv.Port);
        Assert.Null(zone.Find("_._tcp.web.default.svc.cluster.local"));
    }

    [Fact]
    public void ReverseName_OfIpv6_IsTheNibbleName()
    {
        Assert.Equal("5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.4.0.0.0.0.d.f.ip6.arpa", DnsZone.ReverseName(IPAddress.Parse("fd00:43::5")));
        Assert.Equal("5.0.43.10.in-addr.arpa", DnsZone.ReverseName(IPAddress.Parse("10.43.0.5")));
    }

    [Fact]
    public void Ipv6ClusterIp_HasAPtr()
    {
        var zone = Zone(Service("web", "fd00:43::5"));

        var ptr = zone.FindReverse(DnsZone.ReverseName(IPAddress.Parse("fd00:43::5")))?.Answer(RecordType.Ptr);
        Assert.Equal("web.default.svc.cluster.local.", Assert.IsType<PtrRecord>(Assert.Single(ptr!)).PointerDomainName.ToString());
    }
}
