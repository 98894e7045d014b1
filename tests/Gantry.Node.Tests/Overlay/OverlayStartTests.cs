using Gantry.Client;
using Gantry.Node.Network.Overlay;

namespace Gantry.Node.Tests.Overlay;

/// <summary>When the overlay does not start at all (no root needed: nothing reaches the kernel or the API).</summary>
public sealed class OverlayStartTests
{
    private static ApiClient Unreachable() => new(new HttpClientHandler(), new Uri("https://127.0.0.1:9"));

    [Fact]
    public async Task Start_WithBackendNone_IsNull()
    {
        using var client = Unreachable();

        Assert.Null(await OverlayNetwork.StartAsync(client, new OverlayOptions { NodeName = "n", NodeIp = "192.168.1.1", Backend = OverlayBackend.None }));
    }

    [Fact]
    public async Task Start_WithALoopbackNodeIp_IsNull()
    {
        using var client = Unreachable();

        Assert.Null(await OverlayNetwork.StartAsync(client, new OverlayOptions { NodeName = "n", NodeIp = "127.0.0.1" }));
    }

    [Theory]
    [InlineData("10.42.0.0", "192.168.1.1")]
    [InlineData("10.42.0.0/16", "fd00::1")]
    [InlineData("10.42.0.0/16", "not-an-ip")]
    public async Task Start_WithMalformedAddresses_Throws(string clusterCidr, string nodeIp)
    {
        using var client = Unreachable();

        await Assert.ThrowsAsync<ArgumentException>(() => OverlayNetwork.StartAsync(client, new OverlayOptions { NodeName = "n", NodeIp = nodeIp, ClusterCidr = clusterCidr }));
    }
}
