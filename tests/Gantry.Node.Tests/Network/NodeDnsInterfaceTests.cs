using System.Diagnostics;
using System.Net;
using Gantry.Node.Network;

namespace Gantry.Node.Tests.Network;

public sealed class NodeDnsInterfaceTests
{
    [Fact]
    public void TheInterfaceName_FitsTheKernelLimit_AndDiffersPerNode()
    {
        var name = NodeDnsInterface.NameFor(new string('n', 253));
        Assert.True(name.Length <= 15, name);
        Assert.StartsWith(NodeDnsInterface.Prefix, name);
        Assert.NotEqual(NodeDnsInterface.NameFor("node-a"), NodeDnsInterface.NameFor("node-b"));
    }

    [Fact]
    public async Task Ensure_CarriesExactlyTheGivenAddresses_AgainAfterAChange_AndRemoveDeletesIt()
    {
        HostRequirements.Root();
        var node = $"dns-if-test-{Guid.NewGuid():N}";
        var name = NodeDnsInterface.NameFor(node);
        try
        {
            await NodeDnsInterface.EnsureAsync(node, [IPAddress.Parse("10.43.251.10")], CancellationToken.None);
            Assert.Contains("10.43.251.10/32", await IpAsync("-br", "addr", "show", "dev", name));

            // A restarted agent takes the interface over with its current --cluster-dns.
            await NodeDnsInterface.EnsureAsync(node, [IPAddress.Parse("10.43.251.11")], CancellationToken.None);
            var addresses = await IpAsync("-br", "addr", "show", "dev", name);
            Assert.Contains("10.43.251.11/32", addresses);
            Assert.DoesNotContain("10.43.251.10/", addresses);
            Assert.Contains("local 10.43.251.11", await IpAsync("route", "show", "table", "local"));
        }
        finally
        {
            await NodeDnsInterface.RemoveAsync(node, CancellationToken.None);
        }
        Assert.DoesNotContain(name, await IpAsync("-br", "link"));
        await NodeDnsInterface.RemoveAsync(node, CancellationToken.None);
    }

    private static async Task<string> IpAsync(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
