using Gantry.Node.Network;
using Gantry.Node.Tests.Network;

namespace Gantry.Node.Tests.Overlay;

/// <summary>
/// Two simulated hosts as network namespaces joined by a veth pair (eth0, 192.168.77.1/24 and .2/24), each with a
/// bridge cni0 (10.42.N.1/24) and one "pod" namespace on it (10.42.N.10, default route via the bridge). Pod 2 serves
/// a CGI page that answers with the peer address it sees (busybox httpd's REMOTE_ADDR), so NAT shows; host 2 serves
/// the same page on port 8080, an address outside the cluster CIDR. Nothing leaves
/// these namespaces; disposing kills the servers and deletes them all (with every route, device and rule inside).
/// </summary>
internal sealed class OverlayHosts : IAsyncDisposable
{
    public const string Busybox = "/usr/bin/busybox";
    private const string Prefix = "govt-";
    private const int HostPort = 8080;
    private static readonly Lazy<Task> CrashedRunsRemoved = new(() => TestNamespaces.DeleteAllWithPrefixAsync(Prefix));
    private readonly List<string> _namespaces = [];
    private readonly string _webRoot = Directory.CreateTempSubdirectory("gantry-overlay-test-").FullName;

    private OverlayHosts(string id) => Id = id;

    /// <summary>Unique per instance: node names carry it.</summary>
    public string Id { get; }

    /// <summary>Host N's namespace (1 or 2).</summary>
    public string Host(int n) => $"{Prefix}{Id}-h{n}";

    /// <summary>Pod N's namespace.</summary>
    public string Pod(int n) => $"{Prefix}{Id}-p{n}";

    public static string HostIp(int n) => $"192.168.77.{n}";

    public static string PodCidr(int n) => $"10.42.{n}.0/24";

    public static string PodIp(int n) => $"10.42.{n}.10";

    public static async Task<OverlayHosts> CreateAsync()
    {
        HostRequirements.Root();
        HostRequirements.Tool(Busybox);
        HostRequirements.Tool("/usr/bin/curl");
        HostRequirements.Tool("/usr/sbin/nft");
        HostRequirements.Tool("/usr/sbin/bridge");
        await CrashedRunsRemoved.Value;
        var hosts = new OverlayHosts(Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var n in new[] { 1, 2 })
            {
                await hosts.AddNamespaceAsync(hosts.Host(n));
                await hosts.AddNamespaceAsync(hosts.Pod(n));
            }
            await Ip("-n", hosts.Host(1), "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", hosts.Host(2));
            foreach (var n in new[] { 1, 2 })
            {
                string host = hosts.Host(n), pod = hosts.Pod(n);
                await Ip("-n", host, "addr", "add", HostIp(n) + "/24", "dev", "eth0");
                await Ip("-n", host, "link", "set", "eth0", "up");
                await Ip("-n", host, "link", "add", "cni0", "type", "bridge");
                await Ip("-n", host, "addr", "add", $"10.42.{n}.1/24", "dev", "cni0");
                await Ip("-n", host, "link", "set", "cni0", "up");
                await Ip("-n", host, "link", "add", "vethpod", "type", "veth", "peer", "name", "eth0", "netns", pod);
                await Ip("-n", host, "link", "set", "vethpod", "master", "cni0", "up");
                await Ip("-n", pod, "addr", "add", PodIp(n) + "/24", "dev", "eth0");
                await Ip("-n", pod, "link", "set", "eth0", "up");
                await Ip("-n", pod, "route", "add", "default", "via", $"10.42.{n}.1");
            }
            var cgi = Path.Combine(hosts._webRoot, "cgi-bin");
            Directory.CreateDirectory(cgi);
            var script = Path.Combine(cgi, "peer");
            await File.WriteAllTextAsync(script, $"#!{Busybox} sh\necho \"Content-Type: text/plain\"\necho\necho \"$REMOTE_ADDR\"\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Without -f httpd detaches; disposing kills it with the namespace's other processes.
            await Ip("netns", "exec", hosts.Pod(2), Busybox, "httpd", "-p", "80", "-h", hosts._webRoot);
            await Ip("netns", "exec", hosts.Host(2), Busybox, "httpd", "-p", HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", hosts._webRoot);
            return hosts;
        }
        catch
        {
            await hosts.DisposeAsync();
            throw;
        }
    }

    /// <summary>One ping from pod 1 to pod 2: whether it was answered.</summary>
    public async Task<bool> PingAsync()
    {
        var result = await HostCommand.RunAsync("ip", ["netns", "exec", Pod(1), Busybox, "ping", "-c", "1", "-W", "2", PodIp(2)], null, CancellationToken.None);
        return result.Succeeded;
    }

    /// <summary>The source address pod 2's server sees for a request from pod 1, or the failure.</summary>
    public Task<string> PeerSeenByPod2Async() => PeerSeenAsync($"http://{PodIp(2)}/cgi-bin/peer");

    /// <summary>The source address host 2's own server (outside the cluster CIDR) sees for a request from pod 1, or the failure.</summary>
    public Task<string> PeerSeenByHost2Async() => PeerSeenAsync($"http://{HostIp(2)}:{HostPort}/cgi-bin/peer");

    private async Task<string> PeerSeenAsync(string url)
    {
        var result = await HostCommand.RunAsync("ip", ["netns", "exec", Pod(1), "curl", "-sS", "-m", "3", url], null, CancellationToken.None);
        return result.Succeeded ? result.Output.Trim() : "FAILED: " + result.Error.Trim();
    }

    /// <summary>Runs ip (or bridge) in host <paramref name="n"/>'s namespace and returns its output.</summary>
    public Task<string> InHostAsync(int n, string tool, params string[] arguments) =>
        HostCommand.RunCheckedAsync(tool, ["-n", Host(n), .. arguments], null, CancellationToken.None);

    private async Task AddNamespaceAsync(string name)
    {
        await Ip("netns", "add", name);
        _namespaces.Add(name);
        await Ip("-n", name, "link", "set", "lo", "up");
    }

    private static Task<string> Ip(params string[] arguments) => HostCommand.RunCheckedAsync("ip", arguments, null, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _namespaces) await TestNamespaces.DeleteAsync(name);
        Directory.Delete(_webRoot, recursive: true);
    }
}
