using System.Diagnostics;
using System.Net;
using Gantry.Node.Network;
using Gantry.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Tests.Network;

public sealed class NodeNetworkServicesTests
{
    [Fact]
    public async Task ClusterDns_StartsWhenThePodsAskForIt_NotBefore_AndStopsWithTheServices()
    {
        HostRequirements.Root();
        HostRequirements.Tool("/usr/sbin/nft");
        await using var api = await InProcessApiServer.StartAsync("gantry-netsvc-test-");
        var node = $"netsvc-{Guid.NewGuid():N}"[..20];
        var dnsIp = IPAddress.Parse($"10.43.{Random.Shared.Next(1, 255)}.10");
        var resolvConf = Path.Combine(api.DataDir, "resolv.conf");
        await File.WriteAllTextAsync(resolvConf, "nameserver 127.0.0.2\n");
        var services = new NodeNetworkServices(api.Client, new NodeNetworkOptions { NodeName = node, ClusterDns = [dnsIp], ResolvConf = resolvConf },
            TimeProvider.System, NullLoggerFactory.Instance);
        var table = new Gantry.Node.Network.Proxy.ServiceProxyOptions { NodeName = node }.TableName;
        using var stop = new CancellationTokenSource();
        var running = services.RunAsync(stop.Token);
        try
        {
            // The proxy runs at once (its table appears); the DNS server and its interface wait for the first pod.
            await WaitUntilAsync(async () => (await HostAsync("nft", "list", "tables")).Contains(table, StringComparison.Ordinal));
            Assert.DoesNotContain(NodeDnsInterface.NameFor(node), await HostAsync("ip", "-br", "link"));
            Assert.False(await ListensAsync(dnsIp));

            await services.EnsureClusterDnsAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains($"{dnsIp}/32", await HostAsync("ip", "-br", "addr", "show", "dev", NodeDnsInterface.NameFor(node)));
            Assert.True(await ListensAsync(dnsIp));
            // Later pods find it running.
            await services.EnsureClusterDnsAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
        Assert.DoesNotContain(NodeDnsInterface.NameFor(node), await HostAsync("ip", "-br", "link"));
        Assert.DoesNotContain(table, await HostAsync("nft", "list", "tables"));
    }

    [Fact]
    public async Task EnsureClusterDns_WithoutClusterDnsAddresses_CompletesWithoutAServer()
    {
        HostRequirements.Root();
        HostRequirements.Tool("/usr/sbin/nft");
        await using var api = await InProcessApiServer.StartAsync("gantry-netsvc-test-");
        var node = $"netsvc-{Guid.NewGuid():N}"[..20];
        var services = new NodeNetworkServices(api.Client, new NodeNetworkOptions { NodeName = node, ClusterDns = [] }, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = services.RunAsync(stop.Token);
        try
        {
            await services.EnsureClusterDnsAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(NodeDnsInterface.NameFor(node), await HostAsync("ip", "-br", "link"));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    // A UDP socket bound to the address's port 53 (read from the kernel's socket table: no packet is sent).
    private static async Task<bool> ListensAsync(IPAddress address) =>
        (await HostAsync("ss", "-H", "-lnu", "src", $"{address}:53")).Contains($"{address}:53", StringComparison.Ordinal);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the service proxy did not create its table within 30 s");
            await Task.Delay(50);
        }
    }

    private static async Task<string> HostAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
