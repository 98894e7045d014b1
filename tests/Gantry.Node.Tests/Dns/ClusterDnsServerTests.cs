using System.Net;
using ARSoft.Tools.Net.Dns;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Node.Tests.Dns;

public sealed class ClusterDnsServerTests(DnsFixture dns) : IClassFixture<DnsFixture>
{
    [Fact]
    public async Task ServiceName_A_ReturnsTheClusterIp()
    {
        var response = await dns.QueryAsync("web.default.svc.cluster.local", RecordType.A);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        var a = Assert.Single(response.AnswerRecords.OfType<ARecord>());
        Assert.Equal(IPAddress.Parse("10.43.0.100"), a.Address);
        Assert.Equal(5, a.TimeToLive);
    }

    [Fact]
    public async Task ServiceName_OverTcp_Answers()
    {
        var response = await dns.QueryAsync("web.default.svc.cluster.local", RecordType.A, tcp: true);

        Assert.Equal(IPAddress.Parse("10.43.0.100"), Assert.Single(response.AnswerRecords.OfType<ARecord>()).Address);
    }

    [Fact]
    public async Task HeadlessService_A_ReturnsEveryReadyEndpoint()
    {
        var response = await dns.QueryAsync("db.default.svc.cluster.local", RecordType.A);

        Assert.Equal(["10.42.0.5", "10.42.0.6"], response.AnswerRecords.OfType<ARecord>().Select(a => a.Address.ToString()).Order());
    }

    [Fact]
    public async Task EndpointHostname_A_ReturnsThatEndpoint()
    {
        var named = await dns.QueryAsync("db-0.db.default.svc.cluster.local", RecordType.A);
        var dashed = await dns.QueryAsync("10-42-0-6.db.default.svc.cluster.local", RecordType.A);
        var notReady = await dns.QueryAsync("db-2.db.default.svc.cluster.local", RecordType.A);

        Assert.Equal(IPAddress.Parse("10.42.0.5"), Assert.Single(named.AnswerRecords.OfType<ARecord>()).Address);
        Assert.Equal(IPAddress.Parse("10.42.0.6"), Assert.Single(dashed.AnswerRecords.OfType<ARecord>()).Address);
        Assert.Equal(ReturnCode.NxDomain, notReady.ReturnCode);
    }

    [Fact]
    public async Task NamedPort_Srv_TargetsTheServiceName()
    {
        var tcp = await dns.QueryAsync("_http._tcp.web.default.svc.cluster.local", RecordType.Srv);
        var udp = await dns.QueryAsync("_dns._udp.web.default.svc.cluster.local", RecordType.Srv);

        var srv = Assert.Single(tcp.AnswerRecords.OfType<SrvRecord>());
        Assert.Equal(80, srv.Port);
        Assert.Equal("web.default.svc.cluster.local.", srv.Target.ToString());
        Assert.Equal(53, Assert.Single(udp.AnswerRecords.OfType<SrvRecord>()).Port);
    }

    [Fact]
    public async Task HeadlessNamedPort_Srv_TargetsEachEndpointHostname()
    {
        var response = await dns.QueryAsync("_pg._tcp.db.default.svc.cluster.local", RecordType.Srv);

        var targets = response.AnswerRecords.OfType<SrvRecord>().Select(s => s.Target.ToString()).Order();
        Assert.Equal(["10-42-0-6.db.default.svc.cluster.local.", "db-0.db.default.svc.cluster.local."], targets);
        Assert.All(response.AnswerRecords.OfType<SrvRecord>(), s => Assert.Equal(5432, s.Port));
    }

    [Fact]
    public async Task Ptr_OfClusterIpAndEndpointIp_NamesServiceAndEndpoint()
    {
        var service = await dns.QueryAsync("100.0.43.10.in-addr.arpa", RecordType.Ptr);
        var endpoint = await dns.QueryAsync("5.0.42.10.in-addr.arpa", RecordType.Ptr);

        Assert.Equal("web.default.svc.cluster.local.", Assert.Single(service.AnswerRecords.OfType<PtrRecord>()).PointerDomainName.ToString());
        Assert.Equal("db-0.db.default.svc.cluster.local.", Assert.Single(endpoint.AnswerRecords.OfType<PtrRecord>()).PointerDomainName.ToString());
    }

    [Fact]
    public async Task PodName_A_ReturnsTheDashedIp()
    {
        var pod = await dns.QueryAsync("10-42-1-9.default.pod.cluster.local", RecordType.A);
        var malformed = await dns.QueryAsync("10-42-x-9.default.pod.cluster.local", RecordType.A);

        Assert.Equal(IPAddress.Parse("10.42.1.9"), Assert.Single(pod.AnswerRecords.OfType<ARecord>()).Address);
        Assert.Equal(ReturnCode.NxDomain, malformed.ReturnCode);
    }

    [Fact]
    public async Task ExternalName_A_ReturnsTheCnameAndItsTarget()
    {
        var response = await dns.QueryAsync("ext.default.svc.cluster.local", RecordType.A);

        Assert.Equal("example.test.", Assert.Single(response.AnswerRecords.OfType<CNameRecord>()).CanonicalName.ToString());
        Assert.Equal(StubUpstream.ExampleAddress, Assert.Single(response.AnswerRecords.OfType<ARecord>()).Address);
    }

    [Fact]
    public async Task MissingService_IsNxDomainWithTheSoa()
    {
        var response = await dns.QueryAsync("nope.default.svc.cluster.local", RecordType.A);

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
        var soa = Assert.Single(response.AuthorityRecords.OfType<SoaRecord>());
        Assert.Equal("cluster.local.", soa.Name.ToString());
    }

    [Theory]
    [InlineData("web.default.svc.cluster.local", RecordType.Aaaa)]
    [InlineData("web.default.svc.cluster.local", RecordType.Txt)]
    [InlineData("default.svc.cluster.local", RecordType.A)]
    [InlineData("quiet.svc.cluster.local", RecordType.A)]
    [InlineData("svc.cluster.local", RecordType.A)]
    [InlineData("_tcp.web.default.svc.cluster.local", RecordType.Srv)]
    [InlineData("10-42-1-9.default.pod.cluster.local", RecordType.Aaaa)]
    public async Task ExistingName_OfAnotherType_IsNoDataWithTheSoa(string name, RecordType type)
    {
        var response = await dns.QueryAsync(name, type);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
        Assert.Single(response.AuthorityRecords.OfType<SoaRecord>());
    }

    [Theory]
    [InlineData("ghost.svc.cluster.local")]
    [InlineData("web.ghost.svc.cluster.local")]
    [InlineData("google.com.default.svc.cluster.local")]
    [InlineData("db-2.db.default.svc.cluster.local")]
    public async Task UnknownName_InTheZone_IsNxDomain(string name)
    {
        var response = await dns.QueryAsync(name, RecordType.A);

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
    }

    [Fact]
    public async Task DnsVersion_Txt_IsTheSchemaVersion()
    {
        var response = await dns.QueryAsync("dns-version.cluster.local", RecordType.Txt);

        Assert.Equal("1.1.0", Assert.Single(response.AnswerRecords.OfType<TxtRecord>()).TextData);
    }

    [Fact]
    public async Task OutsideName_IsForwardedAndCached()
    {
        var first = await dns.QueryAsync("example.test", RecordType.A);
        var asked = dns.Upstream.Queries;
        var second = await dns.QueryAsync("EXAMPLE.test", RecordType.A);

        Assert.Equal(StubUpstream.ExampleAddress, Assert.Single(first.AnswerRecords.OfType<ARecord>()).Address);
        Assert.Equal(StubUpstream.ExampleAddress, Assert.Single(second.AnswerRecords.OfType<ARecord>()).Address);
        Assert.Equal(asked, dns.Upstream.Queries);
        // The stub says 60 s; the cache holds it at most 30 s (k3s: cache 30) and counts down.
        Assert.InRange(first.AnswerRecords[0].TimeToLive, 1, 30);
        Assert.InRange(second.AnswerRecords[0].TimeToLive, 1, first.AnswerRecords[0].TimeToLive);
    }

    [Fact]
    public async Task OutsideName_Missing_IsTheUpstreamsNxDomain()
    {
        var response = await dns.QueryAsync("missing.test", RecordType.A);

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.False(response.IsAuthoritiveAnswer);
    }

    [Fact]
    public async Task UnknownReverseName_IsForwarded()
    {
        var response = await dns.QueryAsync("9.9.9.10.in-addr.arpa", RecordType.Ptr);

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.Equal("test.", Assert.Single(response.AuthorityRecords.OfType<SoaRecord>()).Name.ToString());
    }

    [Fact]
    public async Task BigUpstreamAnswer_IsTruncatedOverUdpAndWholeOverTcp()
    {
        var udp = await dns.RawUdpQueryAsync("big.test", RecordType.Txt);
        var tcp = await dns.QueryAsync("big.test", RecordType.Txt, tcp: true);

        Assert.True(udp.IsTruncated);
        Assert.Equal(StubUpstream.BigTexts, Assert.Single(tcp.AnswerRecords.OfType<TxtRecord>()).TextParts);
    }

    [Fact]
    public async Task ServiceChanges_AreVisibleWithoutRestart()
    {
        var services = dns.Api.Client.For<V1Service>();
        await services.CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "late", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { ClusterIP = "10.43.0.200", Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");
        await Eventually.HoldsAsync(async () => (await dns.QueryAsync("late.default.svc.cluster.local", RecordType.A)).AnswerRecords.Count == 1,
            "the new service to resolve", TimeSpan.FromSeconds(10));

        await services.DeleteAsync("default", "late");
        await Eventually.HoldsAsync(async () => (await dns.QueryAsync("late.default.svc.cluster.local", RecordType.A)).ReturnCode == ReturnCode.NxDomain,
            "the deleted service to vanish", TimeSpan.FromSeconds(10));
    }
}
