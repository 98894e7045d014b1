using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Gantry.Client.Informers;
using Gantry.Node.Network.Dns;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Node.Tests.Dns;

/// <summary>
/// A real API server holding a few Services and EndpointSlices (no controllers), the cluster DNS server over its
/// informers on 127.0.0.1, and a stub upstream on 127.0.0.2 named by a temporary resolv.conf.
/// </summary>
public sealed class DnsFixture : IAsyncLifetime
{
    public static readonly IPAddress ServerAddress = IPAddress.Loopback;
    public static readonly IPAddress UpstreamAddress = IPAddress.Parse("127.0.0.2");

    private InProcessApiServer? _api;
    private SharedInformerFactory? _informers;
    private ClusterDnsServer? _dns;
    private StubUpstream? _upstream;
    private string? _resolvConf;
    private readonly CancellationTokenSource _stop = new();

    public InProcessApiServer Api => _api ?? throw new InvalidOperationException("not started");

    public StubUpstream Upstream => _upstream ?? throw new InvalidOperationException("not started");

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        _api = await InProcessApiServer.StartAsync("gantry-dns-test-");
        await CreateObjectsAsync(_api);
        _upstream = new StubUpstream(UpstreamAddress, FreePort(UpstreamAddress));
        _resolvConf = Path.Combine(_api.DataDir, "resolv.conf");
        await File.WriteAllTextAsync(_resolvConf, $"search example.org\nnameserver {UpstreamAddress}\noptions ndots:2\n");
        Port = FreePort(ServerAddress);
        _informers = new SharedInformerFactory(_api.Client);
        _dns = new ClusterDnsServer(_informers, new ClusterDnsOptions
        {
            ListenAddresses = [ServerAddress],
            Port = Port,
            ResolvConfPath = _resolvConf,
            UpstreamPort = _upstream.Port,
        });
        _informers.Start(_stop.Token);
        await _dns.StartAsync(CancellationToken.None);
    }

    /// <summary>Asks the cluster DNS server over UDP (no TCP fallback, so truncation shows) or TCP.</summary>
    public async Task<DnsMessage> QueryAsync(string name, RecordType type, bool tcp = false)
    {
        IClientTransport transport = tcp ? new TcpClientTransport(Port) : new UdpClientTransport(Port);
        var client = new DnsClient([ServerAddress], [transport], true, 5000);
        var response = await client.ResolveAsync(DomainName.Parse(name), type, RecordClass.INet, new DnsQueryOptions { IsRecursionDesired = true });
        Assert.NotNull(response);
        return response;
    }

    /// <summary>
    /// Asks over plain UDP without EDNS from a bare socket, so a truncated answer comes back as it is (ARSoft's client
    /// drops those when it may not retry over TCP).
    /// </summary>
    public async Task<DnsMessage> RawUdpQueryAsync(string name, RecordType type)
    {
        var query = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 }; // id, RD, one question
        foreach (var label in name.Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }
        query.AddRange([0, 0, (byte)type, 0, 1]);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(new IPEndPoint(ServerAddress, Port));
        await socket.SendAsync(query.ToArray());
        var buffer = new byte[65535];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var length = await socket.ReceiveAsync(buffer, timeout.Token);
        return DnsMessage.Parse(new ArraySegment<byte>(buffer, 0, length));
    }

    private static async Task CreateObjectsAsync(InProcessApiServer api)
    {
        await api.Client.For<V1Namespace>().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "quiet" } });
        var services = api.Client.For<V1Service>();
        await services.CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec
            {
                ClusterIP = "10.43.0.100",
                Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }, new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP" }],
            },
        }, "default");
        await services.CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { ClusterIP = "None", Ports = [new V1ServicePort { Name = "pg", Port = 5432 }] },
        }, "default");
        await services.CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "ext", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "example.test" },
        }, "default");
        await api.Client.For<V1EndpointSlice>().CreateAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "db-x1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "db" } },
            AddressType = "IPv4",
            Endpoints =
            [
                new V1Endpoint { Addresses = ["10.42.0.5"], Hostname = "db-0", Conditions = new V1EndpointConditions { Ready = true } },
                new V1Endpoint { Addresses = ["10.42.0.6"], Conditions = new V1EndpointConditions { Ready = true } },
                new V1Endpoint { Addresses = ["10.42.0.7"], Hostname = "db-2", Conditions = new V1EndpointConditions { Ready = false } },
            ],
            Ports = [new Discoveryv1EndpointPort { Name = "pg", Port = 5432, Protocol = "TCP" }],
        }, "default");
    }

    // A port free for both UDP and TCP on that address.
    private static int FreePort(IPAddress address)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_dns is not null) await _dns.DisposeAsync();
        await _stop.CancelAsync();
        if (_informers is not null) await _informers.DisposeAsync();
        if (_upstream is not null) await _upstream.DisposeAsync();
        if (_api is not null) await _api.DisposeAsync();
        _stop.Dispose();
    }
}
