using System.Net;
using Gantry.Node.Network;
using Gantry.Node.Pods;

namespace Gantry.Node.Tests.Network;

public sealed class NodeNetworkOptionsTests
{
    [Fact]
    public void AgentFlags_BecomeTheProxyAndDnsSettings()
    {
        var options = NodeNetworkOptions.For(new NodeAgentOptions
        {
            NodeName = "n1",
            NodeIp = "192.0.2.5",
            ClusterDns = ["10.43.0.10"],
            ClusterDomain = "example.local",
            ClusterCidr = "10.99.0.0/16",
            ResolvConf = "/tmp/upstreams.conf",
            ProxySyncPeriod = TimeSpan.FromMinutes(2),
            ProxyMinSyncPeriod = TimeSpan.FromMilliseconds(250),
        });

        Assert.Equal([IPAddress.Parse("192.0.2.5")], options.NodeIPs);
        Assert.Equal([IPAddress.Parse("10.43.0.10")], options.ClusterDns);
        Assert.Equal(("example.local", "10.99.0.0/16", "/tmp/upstreams.conf"), (options.ClusterDomain, options.ClusterCidr, options.ResolvConf));
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(250)), (options.ProxySyncPeriod, options.ProxyMinSyncPeriod));
    }

    [Fact]
    public void WithoutResolvConf_SystemdResolvedsUpstreamList_IsPreferred()
    {
        var options = NodeNetworkOptions.For(new NodeAgentOptions { NodeName = "n1" });

        Assert.Equal(File.Exists("/run/systemd/resolve/resolv.conf") ? "/run/systemd/resolve/resolv.conf" : "/etc/resolv.conf", options.ResolvConf);
    }

    [Theory]
    [InlineData("10.43.0.10", "not-a-cidr", "--cluster-cidr")]
    [InlineData("ten.dot", "10.42.0.0/16", "--cluster-dns")]
    public void AValueThatDoesNotParse_NamesItsFlag(string clusterDns, string clusterCidr, string flag)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            NodeNetworkOptions.For(new NodeAgentOptions { NodeName = "n1", ClusterDns = [clusterDns], ClusterCidr = clusterCidr }));
        Assert.StartsWith(flag, error.Message);
    }
}
