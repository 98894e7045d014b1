using Gantry.Node.Network;
using Gantry.Node.Tests.Network;

namespace Gantry.Node.Tests.Proxy;

/// <summary>
/// A "node" network namespace with a bridge (10.232.0.1/24) and backend namespaces on it (10.232.0.11, .12, ...), each
/// serving its own name over HTTP on port 80 with busybox httpd (and the client's address at /cgi-bin/peer), fetched with curl (busybox wget crashes here). All test traffic stays inside these namespaces.
/// Disposing kills the servers and deletes the namespaces (and with them every rule programmed inside).
/// </summary>
internal sealed class ProxyNode : IAsyncDisposable
{
    public const string Busybox = "/usr/bin/busybox";
    /// <summary>The API server's default service range, where the tests' ClusterIPs come from.</summary>
    public const string ServiceRange = "10.43.0.0/16";

    private const string Prefix = "gpxt-";
    private static readonly Lazy<Task> CrashedRunsRemoved = new(() => TestNamespaces.DeleteAllWithPrefixAsync(Prefix));
    private readonly List<string> _namespaces = [];
    private readonly string _webRoot = Directory.CreateTempSubdirectory("gantry-proxy-test-").FullName;

    public string Name { get; private set; } = "";

    /// <summary>The backends' addresses, in order.</summary>
    public List<string> Backends { get; } = [];

    public static async Task<ProxyNode> CreateAsync(int backends)
    {
        HostRequirements.Root();
        HostRequirements.Tool(Busybox);
        HostRequirements.Tool("/usr/bin/curl");
        await CrashedRunsRemoved.Value;
        var node = new ProxyNode();
        try
        {
            var id = Guid.NewGuid().ToString("N")[..8];
            node.Name = Prefix + id + "-n";
            await Ip("netns", "add", node.Name);
            node._namespaces.Add(node.Name);
            await Ip("-n", node.Name, "link", "set", "lo", "up");
            await Ip("-n", node.Name, "link", "add", "gpxbr", "type", "bridge");
            await Ip("-n", node.Name, "addr", "add", "10.232.0.1/24", "dev", "gpxbr");
            await Ip("-n", node.Name, "link", "set", "gpxbr", "up");
            // Local processes need a route to the service range before DNAT (a real node's default route); it stays in this namespace.
            await Ip("-n", node.Name, "route", "add", ServiceRange, "dev", "gpxbr");
            // Hairpin traffic (a backend reaching itself through a service) is routed back out by the node.
            await node.ExecCheckedAsync("sysctl", "-w", "net.ipv4.ip_forward=1");
            for (var i = 1; i <= backends; i++)
            {
                var backend = $"{Prefix}{id}-b{i}";
                var address = $"10.232.0.{10 + i}";
                await Ip("netns", "add", backend);
                node._namespaces.Add(backend);
                await Ip("-n", node.Name, "link", "add", $"vb{i}", "type", "veth", "peer", "name", "eth0", "netns", backend);
                await Ip("-n", node.Name, "link", "set", $"vb{i}", "master", "gpxbr", "up");
                // As the CNI bridge plugin's hairpinMode: with bridge netfilter a hairpin DNAT is bridged back out the port it came in on.
                await Ip("-n", node.Name, "link", "set", $"vb{i}", "type", "bridge_slave", "hairpin", "on");
                await Ip("-n", backend, "addr", "add", address + "/24", "dev", "eth0");
                await Ip("-n", backend, "link", "set", "eth0", "up");
                await Ip("-n", backend, "link", "set", "lo", "up");
                await Ip("-n", backend, "route", "add", "default", "via", "10.232.0.1");
                var root = Path.Combine(node._webRoot, address);
                Directory.CreateDirectory(root);
                await File.WriteAllTextAsync(Path.Combine(root, "index.html"), address + "\n");
                // /cgi-bin/peer answers with the client's address and port as the backend sees them.
                var peer = Path.Combine(root, "cgi-bin", "peer");
                Directory.CreateDirectory(Path.GetDirectoryName(peer)!);
                await File.WriteAllTextAsync(peer, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s:%s\\n' \"$REMOTE_ADDR\" \"$REMOTE_PORT\"\n");
                File.SetUnixFileMode(peer, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                // Without -f httpd detaches; deleting the namespaces kills it.
                await Ip("netns", "exec", backend, Busybox, "httpd", "-p", "80", "-h", root);
                node.Backends.Add(address);
            }
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Fetches <paramref name="url"/> from the node namespace <paramref name="times"/> times, one connection each: the bodies and failures.</summary>
    public Task<HostCommand.Result> FetchAsync(string url, int times = 1) => FetchFromAsync(Name, url, times);

    /// <summary>The same, from backend <paramref name="index"/> (0-based).</summary>
    public Task<HostCommand.Result> FetchFromBackendAsync(int index, string url) => FetchFromAsync(_namespaces[index + 1], url, 1);

    /// <summary>Opens one TCP connection from the node namespace with busybox nc: its error output (empty on success).</summary>
    public async Task<string> ConnectAsync(string address, int port)
    {
        var result = await HostCommand.RunAsync("ip", ["netns", "exec", Name, Busybox, "nc", "-w", "2", address, port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            "", CancellationToken.None);
        return result.Error;
    }

    public async Task<string> ExecCheckedAsync(params string[] command)
    {
        var result = await HostCommand.RunAsync("ip", ["netns", "exec", Name, .. command], null, CancellationToken.None);
        Assert.True(result.Succeeded, $"{string.Join(' ', command)}: {result.Error}");
        return result.Output;
    }

    /// <summary>The table's listing, or null when it does not exist.</summary>
    public async Task<string?> ListTableAsync(string table)
    {
        var result = await HostCommand.RunAsync("ip", ["netns", "exec", Name, "nft", "list", "table", "ip", table], null, CancellationToken.None);
        return result.Succeeded ? result.Output : null;
    }

    private static Task<HostCommand.Result> FetchFromAsync(string ns, string url, int times) =>
        HostCommand.RunAsync("ip", ["netns", "exec", ns, Busybox, "sh", "-c",
            $"for i in $(seq {times}); do curl -sS -m 3 {url} || echo FAILED; done"], null, CancellationToken.None);

    private static Task<string> Ip(params string[] arguments) => HostCommand.RunCheckedAsync("ip", arguments, null, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in _namespaces) await TestNamespaces.DeleteAsync(ns);
        Directory.Delete(_webRoot, recursive: true);
    }
}
