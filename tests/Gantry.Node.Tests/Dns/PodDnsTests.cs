using System.Net;
using Gantry.Node.Network.Dns;
using k8s.Models;

namespace Gantry.Node.Tests.Dns;

public sealed class PodDnsTests : IDisposable
{
    private readonly string _hostResolvConf = Path.Combine(Path.GetTempPath(), $"gantry-resolv-{Guid.NewGuid():N}.conf");
    private readonly DnsSettings _settings;

    public PodDnsTests()
    {
        File.WriteAllText(_hostResolvConf, "# host\nnameserver 192.0.2.1\nnameserver 192.0.2.2\nsearch corp.example. lab.example\noptions timeout:2 attempts:3\n");
        _settings = new DnsSettings { HostResolvConf = _hostResolvConf };
    }

    public void Dispose() => File.Delete(_hostResolvConf);

    private static V1Pod Pod(string? policy, bool hostNetwork = false, V1PodDNSConfig? config = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "shop" },
        Spec = new V1PodSpec { DnsPolicy = policy, HostNetwork = hostNetwork, DnsConfig = config, Containers = [] },
    };

    [Fact]
    public void ClusterFirst_UsesTheClusterDnsAndClusterSearchesThenTheHosts()
    {
        var text = PodDns.ResolvConf(Pod("ClusterFirst"), _settings);

        Assert.Equal("search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\n"
            + "nameserver 10.43.0.10\noptions ndots:5\n", text);
    }

    [Fact]
    public void ClusterFirst_OnHostNetwork_FallsBackToTheHosts()
    {
        var text = PodDns.ResolvConf(Pod("ClusterFirst", hostNetwork: true), _settings);

        Assert.Equal("search corp.example lab.example\nnameserver 192.0.2.1\nnameserver 192.0.2.2\noptions timeout:2 attempts:3\n", text);
    }

    [Fact]
    public void ClusterFirstWithHostNet_OnHostNetwork_UsesTheClusterDns()
    {
        var text = PodDns.ResolvConf(Pod("ClusterFirstWithHostNet", hostNetwork: true), _settings);

        Assert.Contains("nameserver 10.43.0.10\n", text, StringComparison.Ordinal);
        Assert.StartsWith("search shop.svc.cluster.local ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterFirst_WithoutClusterDns_FallsBackToTheHosts()
    {
        var text = PodDns.ResolvConf(Pod("ClusterFirst"), _settings with { ClusterDns = [] });

        Assert.Contains("nameserver 192.0.2.1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("svc.cluster.local", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_IsTheHostsResolvConf()
    {
        var text = PodDns.ResolvConf(Pod("Default"), _settings);

        Assert.Equal("search corp.example lab.example\nnameserver 192.0.2.1\nnameserver 192.0.2.2\noptions timeout:2 attempts:3\n", text);
    }

    [Fact]
    public void None_IsOnlyTheDnsConfig()
    {
        var config = new V1PodDNSConfig
        {
            Nameservers = ["1.1.1.1"],
            Searches = ["a.example"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }, new V1PodDNSConfigOption { Name = "edns0" }],
        };

        var text = PodDns.ResolvConf(Pod("None", config: config), _settings);

        Assert.Equal("search a.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n", text);
    }

    [Fact]
    public void DnsConfig_IsMergedIntoClusterFirst()
    {
        var config = new V1PodDNSConfig
        {
            Nameservers = ["10.43.0.10", "1.1.1.1"],
            Searches = ["cluster.local", "extra.example"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "1" }, new V1PodDNSConfigOption { Name = "single-request" }],
        };

        var text = PodDns.ResolvConf(Pod("ClusterFirst", config: config), _settings);

        Assert.Equal("search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example extra.example\n"
            + "nameserver 10.43.0.10\nnameserver 1.1.1.1\noptions ndots:1 single-request\n", text);
    }

    [Fact]
    public void TooManyNameserversAndSearches_AreTrimmedAsTheKubeletTrimsThem()
    {
        var config = new V1PodDNSConfig
        {
            Nameservers = ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"],
            Searches = [.. Enumerable.Range(0, 40).Select(i => $"s{i}.example"), new string('x', 254)],
        };

        var text = PodDns.ResolvConf(Pod("None", config: config), _settings);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["nameserver 1.1.1.1", "nameserver 1.0.0.1", "nameserver 8.8.8.8"], lines.Where(l => l.StartsWith("nameserver", StringComparison.Ordinal)));
        var searches = lines.Single(l => l.StartsWith("search ", StringComparison.Ordinal)).Split(' ')[1..];
        Assert.Equal(32, searches.Length);
        Assert.Equal("s31.example", searches[^1]);
    }

    [Fact]
    public void SearchLine_LongerThan2048Chars_LosesPathsFromTheEnd()
    {
        var config = new V1PodDNSConfig { Searches = [.. Enumerable.Range(0, 10).Select(i => $"{i}{new string('y', 249)}")] };

        var text = PodDns.ResolvConf(Pod("None", config: config), _settings);

        var searches = text.Split('\n')[0].Split(' ')[1..];
        Assert.Equal(8, searches.Length);
        Assert.True(string.Join(' ', searches).Length <= 2048);
    }

    [Fact]
    public void NoHostResolvConf_PointsHostPodsAtLocalhost()
    {
        var text = PodDns.ResolvConf(Pod("Default"), new DnsSettings { HostResolvConf = "", ClusterDns = [IPAddress.Parse("10.43.0.10")] });

        Assert.Equal("search .\nnameserver 127.0.0.1\n", text);
    }
}
