using System.Net.Sockets;
using System.Text;
using Gantry.Node.Network;

namespace Gantry.Node.Tests.Network;

/// <summary>The real CNI plugins on a throwaway node network; traffic only between test namespaces and from 127.0.0.1.</summary>
public sealed class CniNetworkTests : IAsyncLifetime
{
    private const string ForwardingSysctl = "/proc/sys/net/ipv4/ip_forward";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("gantry-cni-").FullName;
    private readonly NodePaths _paths;
    private readonly string _podCidr = $"10.251.{Random.Shared.Next(1, 250)}.0/24";
    private readonly List<NetworkNamespace> _namespaces = [];
    private string _forwarding = "";
    private CniNetwork _network = null!;

    public CniNetworkTests() => _paths = new NodePaths(_dataDir, "cni-test-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        HostRequirements.Root();
        foreach (var plugin in CniPlugins.Required) HostRequirements.Tool("/usr/lib/cni/" + plugin);
        HostRequirements.Tool("/usr/bin/busybox");
        await CrashedRunCleanup.EnsureAsync();
        _forwarding = (await File.ReadAllTextAsync(ForwardingSysctl)).Trim();
        // Never masquerade toward the outside in tests.
        _network = new CniNetwork(_paths, new CniNetworkOptions { IpMasq = false });
        await _network.InitializeAsync(_podCidr, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _network.RemoveAllAsync(CancellationToken.None);
        }
        finally
        {
            foreach (var ns in _namespaces) await ns.DisposeAsync();
            // The bridge plugin turns on forwarding for its gateway; leave the host as it was.
            if (_forwarding.Length > 0) await File.WriteAllTextAsync(ForwardingSysctl, _forwarding);
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task TwoPods_GetAddressesFromThePodCidr_AndPingEachOtherThroughTheBridge()
    {
        var (a, requestA) = await SandboxAsync("a");
        var (b, requestB) = await SandboxAsync("b");

        var statusA = await _network.SetUpAsync(requestA, CancellationToken.None);
        var statusB = await _network.SetUpAsync(requestB, CancellationToken.None);

        var prefix = _podCidr[..^"0/24".Length];
        Assert.StartsWith(prefix, Assert.Single(statusA.Ips));
        Assert.StartsWith(prefix, Assert.Single(statusB.Ips));
        Assert.NotEqual(statusA.Ips[0], statusB.Ips[0]);
        var ping = await a.ExecAsync("busybox", "ping", "-c", "1", "-W", "3", statusB.Ips[0]);
        Assert.True(ping.Succeeded, ping.Output + ping.Error);
        var lo = await b.ExecAsync("ip", "-o", "link", "show", "lo");
        Assert.Contains("UP", lo.Output, StringComparison.Ordinal);

        await _network.TearDownAsync(requestA, CancellationToken.None);
        await _network.TearDownAsync(requestB, CancellationToken.None);
    }

    [Fact]
    public async Task HostPort_ReachesAListenerInThePod_From127001()
    {
        var hostPort = Random.Shared.Next(31000, 39000);
        var (ns, request) = await SandboxAsync("web");
        request = request with { PortMappings = [new PortMapping(hostPort, 8080)] };
        await _network.SetUpAsync(request, CancellationToken.None);
        var listener = HostCommand.RunAsync("ip", ["netns", "exec", ns.Name, "busybox", "timeout", "15", "busybox", "nc", "-l", "-p", "8080", "-e", "/bin/echo", "pong"],
            null, CancellationToken.None);
        try
        {
            var answer = await ReadFromLocalhostAsync(hostPort);
            Assert.Equal("pong", answer.Trim());
        }
        finally
        {
            await _network.TearDownAsync(request, CancellationToken.None);
            await ns.KillProcessesAsync();
            await listener;
        }
    }

    [Fact]
    public async Task TearDown_ReleasesTheAddressAndRemovesTheSandboxChains_AndIsIdempotent()
    {
        var (_, request) = await SandboxAsync("gone");
        request = request with { PortMappings = [new PortMapping(Random.Shared.Next(31000, 39000), 80)] };
        var status = await _network.SetUpAsync(request, CancellationToken.None);
        var leases = Path.Combine(_paths.CniDataDir, "networks", _paths.CniNetworkName);
        Assert.True(File.Exists(Path.Combine(leases, status.Ips[0])));
        Assert.NotEmpty(await TaggedChainsAsync());

        await _network.TearDownAsync(request, CancellationToken.None);
        await _network.TearDownAsync(request, CancellationToken.None);

        Assert.False(File.Exists(Path.Combine(leases, status.Ips[0])));
        Assert.Empty(await TaggedChainsAsync());
    }

    [Fact]
    public async Task TearDown_AfterTheNamespaceIsGone_StillReleasesTheAddressAndTheHostPortChains()
    {
        var (ns, request) = await SandboxAsync("vanished");
        request = request with { PortMappings = [new PortMapping(Random.Shared.Next(31000, 39000), 80)] };
        var status = await _network.SetUpAsync(request, CancellationToken.None);
        await ns.DisposeAsync();

        await _network.TearDownAsync(request, CancellationToken.None);

        Assert.False(File.Exists(Path.Combine(_paths.CniDataDir, "networks", _paths.CniNetworkName, status.Ips[0])));
        Assert.Empty(await TaggedChainsAsync());
    }

    [Fact]
    public async Task SetUp_OfAConnectedSandbox_AnswersTheSameAddress()
    {
        var (_, request) = await SandboxAsync("again");

        var first = await _network.SetUpAsync(request, CancellationToken.None);
        var second = await _network.SetUpAsync(request, CancellationToken.None);

        Assert.Equal(first.Ips, second.Ips);
        await _network.TearDownAsync(request, CancellationToken.None);
    }

    [Fact]
    public void MissingPlugins_StopTheAgentWithTheDebianPackageName()
    {
        var empty = Path.Combine(_dataDir, "no-plugins");
        Directory.CreateDirectory(empty);

        var error = Assert.Throws<InvalidOperationException>(() => new CniNetwork(_paths, new CniNetworkOptions { PluginDir = empty }));

        Assert.Contains("apt-get install containernetworking-plugins", error.Message, StringComparison.Ordinal);
        Assert.Contains("bridge, host-local, loopback, portmap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveAll_DeletesTheBridgeAndTheLeases()
    {
        var (_, request) = await SandboxAsync("x");
        await _network.SetUpAsync(request, CancellationToken.None);
        Assert.True((await HostCommand.RunAsync("ip", ["link", "show", _network.BridgeName], null, CancellationToken.None)).Succeeded);

        await _network.RemoveAllAsync(CancellationToken.None);

        Assert.False((await HostCommand.RunAsync("ip", ["link", "show", _network.BridgeName], null, CancellationToken.None)).Succeeded);
        Assert.False(Directory.Exists(Path.Combine(_paths.CniDataDir, "networks", _paths.CniNetworkName)));
        Assert.Empty(await TaggedChainsAsync());
    }

    [Fact]
    public async Task Masquerade_IsOneNodeRuleInsteadOfPerPodChains_AndGoesWithTheNetwork()
    {
        // A range of the test pool no interface has, and no pod is connected: the rule exists but never translates anything.
        var cidr = $"10.251.{(int.Parse(_podCidr.Split('.')[2]) + 1) % 250 + 1}.0/24";
        var network = new CniNetwork(new NodePaths(_dataDir, "cni-masq-" + Guid.NewGuid().ToString("N")[..8]), new CniNetworkOptions { IpMasq = true });
        string table;
        try
        {
            await network.InitializeAsync(cidr, CancellationToken.None);
            table = await HostCommand.RunCheckedAsync("nft", ["list", "table", "ip", network.MasqueradeTable], null, CancellationToken.None);

            Assert.Contains("type nat hook postrouting priority srcnat; policy accept;", table, StringComparison.Ordinal);
            Assert.Contains($"ip saddr {cidr} ip daddr != {cidr} ip daddr != 224.0.0.0/4 masquerade", table, StringComparison.Ordinal);
            var bridge = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(network.ConfigPath))!["plugins"]![0]!;
            Assert.Equal(("bridge", false), ((string?)bridge["type"], (bool?)bridge["ipMasq"]));
        }
        finally
        {
            await network.RemoveAllAsync(CancellationToken.None);
        }

        Assert.False((await HostCommand.RunAsync("nft", ["list", "table", "ip", network.MasqueradeTable], null, CancellationToken.None)).Succeeded);
        Assert.False((await HostCommand.RunAsync("nft", ["list", "table", "ip", _network.MasqueradeTable], null, CancellationToken.None)).Succeeded,
            "a network without masquerading has no table");
    }

    [Fact]
    public async Task SetUp_WithABadNamespace_ThrowsTheCniError()
    {
        var request = new PodNetworkRequest
        {
            SandboxId = "bad" + Guid.NewGuid().ToString("N")[..8], NetworkNamespacePath = "/run/netns/does-not-exist-gantry",
            PodNamespace = "default", PodName = "bad", PodUid = Guid.NewGuid().ToString(),
        };
        var error = await Assert.ThrowsAsync<CniException>(() => _network.SetUpAsync(request, CancellationToken.None));
        Assert.Contains("does-not-exist-gantry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BridgeName_FitsLinuxInterfaceNames()
    {
        Assert.Matches("^gtr-[0-9a-f]{10}$", _network.BridgeName);
        Assert.NotEqual(_network.BridgeName, new CniNetwork(new NodePaths(_dataDir, "other")).BridgeName);
    }

    private async Task<(NetworkNamespace Namespace, PodNetworkRequest Request)> SandboxAsync(string name)
    {
        var ns = await NetworkNamespace.CreateAsync();
        _namespaces.Add(ns);
        return (ns, new PodNetworkRequest
        {
            SandboxId = Guid.NewGuid().ToString("N"), NetworkNamespacePath = ns.Path,
            PodNamespace = "default", PodName = name, PodUid = Guid.NewGuid().ToString(),
        });
    }

    private async Task<IReadOnlyList<string>> TaggedChainsAsync()
    {
        var saved = await HostCommand.RunCheckedAsync("iptables-save", [], null, CancellationToken.None);
        return saved.Split('\n').Where(l => l.Contains($"\\\"{_paths.CniNetworkName}\\\"", StringComparison.Ordinal)).ToList();
    }

    private static async Task<string> ReadFromLocalhostAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
                var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
                if (!string.IsNullOrEmpty(line)) return line;
            }
            catch (Exception ex) when (ex is SocketException or IOException && DateTime.UtcNow < deadline)
            {
                // The listener may not be up yet.
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"nothing answered on 127.0.0.1:{port}");
            await Task.Delay(200);
        }
    }
}
