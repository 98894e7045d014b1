using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Bench.Measurement;
using Gantry.Bench.Node;
using Gantry.Bench.Server;
using Gantry.Node;
using Gantry.Testing.Images;

namespace Gantry.Bench.Services;

/// <summary>
/// What the service proxy costs on the wire: HTTP requests from this host to a busybox httpd pod, through its Service's
/// ClusterIP (nftables DNAT, random balancing over one endpoint, masquerade) and directly to the pod IP, interleaved in
/// rounds in the same run so machine noise hits both alike. busybox httpd closes every connection, so each request is
/// a new connection: new conntrack entries and NAT every time, the proxy's worst case. Needs what the node suite needs.
/// </summary>
internal static class ServicesBenchmark
{
    private const string Namespace = "svcbench";
    private const int Concurrency = 8;
    /// <summary>Linux's SOL_IP level and its IP_BIND_ADDRESS_NO_PORT option (not among .NET's names).</summary>
    private const int SolIp = 0, IpBindAddressNoPort = 24;
    private static readonly TimeSpan PodTimeout = TimeSpan.FromMinutes(3);

    public static async Task RunAsync(string gantry, BenchSettings settings, Report report)
    {
        Host.CheckPrerequisites();
        var (rounds, slice) = settings.Smoke ? (2, TimeSpan.FromSeconds(1)) : (5, TimeSpan.FromSeconds(3));
        var dir = Directory.CreateTempSubdirectory("gantry-bench-services-").FullName;
        var node = new NodePaths(Path.Combine(dir, "server"), "bs" + Guid.NewGuid().ToString("N")[..6]);
        ServerProcess? server = null;
        try
        {
            var archive = Path.Combine(dir, "busybox.tar");
            BusyboxImage.WriteOciArchive(archive);
            await Host.CheckedAsync(gantry, ["image", "import", "--data-dir", node.DataDir, "--node-name", node.NodeName, archive]);
            // Cluster DNS on a random service IP with a loopback upstream nobody serves: nothing of this suite resolves names.
            var resolvConf = Path.Combine(dir, "resolv.conf");
            await File.WriteAllTextAsync(resolvConf, $"nameserver 127.53.{Random.Shared.Next(1, 255)}.1\n");
            // A pod range of its own: agents of other runs on this machine take the default 10.42.0.0/24 for their
            // bridges, and whichever route to it came first would carry this suite's traffic to their pods.
            server = await ServerProcess.StartWithAgentAsync(gantry, node.DataDir, node.NodeName,
                "--cluster-dns", $"10.43.{Random.Shared.Next(1, 255)}.10", "--resolv-conf", resolvConf,
                "--cluster-cidr", $"10.{Random.Shared.Next(160, 200)}.0.0/16");
            using var client = ApiClient.Create(server);
            await BenchPods.WaitForNodeReadyAsync(client, node.NodeName, TimeSpan.FromMinutes(2));
            var (podIp, clusterIp) = await DeployAsync(client);

            // Both paths connect from the address the host sends ClusterIP traffic from. Unbound, the direct connections
            // would leave from the bridge's address, the one the proxy masquerades to: the two paths' connections would
            // then share the pod's TIME_WAIT sockets (one per client address and port), and the pod rejects a SYN that
            // meets one left by a connection of the other path (its TCP timestamps carry another offset) until it is reset.
            var source = SourceAddressFor(clusterIp);
            using var http = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.Zero,
                ConnectCallback = (context, cancellationToken) => ConnectFromAsync(source, context.DnsEndPoint, cancellationToken),
            }) { Timeout = TimeSpan.FromSeconds(10) };
            var viaService = $"http://{clusterIp}/";
            var direct = $"http://{podIp}/";
            // No request before the proxy DNATs the ClusterIP: without its rules the packets would be routed off the machine.
            await WaitForRuleAsync(node.NodeName, clusterIp);
            await WaitForAsync(http, viaService);
            long serviceRequests = 0, directRequests = 0;
            TimeSpan serviceTime = default, directTime = default;
            await ClosedLoop.RunAsync(Concurrency, slice, _ => GetAsync(http, viaService));
            for (var round = 0; round < rounds; round++)
            {
                var s = await ClosedLoop.RunAsync(Concurrency, slice, _ => GetAsync(http, viaService));
                var d = await ClosedLoop.RunAsync(Concurrency, slice, _ => GetAsync(http, direct));
                (serviceRequests, serviceTime) = (serviceRequests + s.Succeeded, serviceTime + s.Elapsed);
                (directRequests, directTime) = (directRequests + d.Succeeded, directTime + d.Elapsed);
                report.CheckErrors($"services round {round}", s);
                report.CheckErrors($"services round {round}", d);
            }
            server.EnsureRunning();
            var serviceRate = serviceRequests / serviceTime.TotalSeconds;
            var directRate = directRequests / directTime.TotalSeconds;
            var ratio = serviceRate / directRate;
            report.Figure("services.clusterip.throughput.ratio",
                $"{ratio:F2} (through the ClusterIP {serviceRate:F0} req/s vs to the pod IP {directRate:F0} req/s; {rounds} interleaved rounds of {slice.TotalSeconds:F0} s each, {Concurrency} concurrent HTTP/1.0 GETs of a busybox httpd page from the host address {source}, a new connection each)",
                ratio >= 0.9, ">= 0.9");
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            await NodeLeftovers.RemoveAsync(node);
            await NodeLeftovers.UnmountUnderAsync(dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>One httpd pod (ready once it serves) and a ClusterIP Service over it; returns their addresses.</summary>
    private static async Task<(string PodIp, string ClusterIp)> DeployAsync(HttpClient client)
    {
        await ApiClient.CreateNamespaceAsync(client, Namespace);
        for (var attempt = 0; await ApiClient.GetAsync(client, $"/api/v1/namespaces/{Namespace}/serviceaccounts/default") is not null; attempt++)
        {
            if (attempt == 300) throw new InvalidOperationException($"no default service account in {Namespace} after 30 s");
            await Task.Delay(100);
        }
        var pod = $$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"{{{Namespace}}}","labels":{"app":"web"}},
            "spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"httpd","image":"{{{BusyboxImage.DefaultName}}}","imagePullPolicy":"Never",
            "command":["httpd","-f","-p","80","-h","/srv/www"],"readinessProbe":{"httpGet":{"path":"/index.html","port":80},"periodSeconds":1}}]}}
            """;
        var service = $$$"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"{{{Namespace}}}"},
            "spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":80}]}}
            """;
        if (await ApiClient.PostAsync(client, $"/api/v1/namespaces/{Namespace}/pods", Encoding.UTF8.GetBytes(pod)) is { } podError)
            throw new InvalidOperationException($"creating the pod: {podError}");
        if (await ApiClient.PostAsync(client, $"/api/v1/namespaces/{Namespace}/services", Encoding.UTF8.GetBytes(service)) is { } serviceError)
            throw new InvalidOperationException($"creating the service: {serviceError}");
        var clusterIp = (string)JsonNode.Parse(await client.GetStringAsync($"/api/v1/namespaces/{Namespace}/services/web"))!["spec"]!["clusterIP"]!;
        var deadline = DateTime.UtcNow + PodTimeout;
        while (true)
        {
            var status = JsonNode.Parse(await client.GetStringAsync($"/api/v1/namespaces/{Namespace}/pods/web"))!["status"];
            var ready = status?["conditions"]?.AsArray().Any(c => (string?)c!["type"] == "Ready" && (string?)c["status"] == "True") == true;
            if (ready && (string?)status!["podIP"] is { Length: > 0 } podIp) return (podIp, clusterIp);
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"pod web not ready within {PodTimeout.TotalSeconds:F0} s: {status?.ToJsonString()}");
            await Task.Delay(250);
        }
    }

    /// <summary>The local address the host's routes pick for traffic to <paramref name="address"/> (a UDP connect sends nothing).</summary>
    private static IPAddress SourceAddressFor(string address)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(IPAddress.Parse(address), 80);
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress source, DnsEndPoint target, CancellationToken cancellationToken)
    {
        // Closed with a reset (linger 0): the client closes first, and with a FIN every connection would leave a TIME_WAIT
        // socket on the host. At ~2,500 connections/s those hold the whole ephemeral port range within seconds, and from
        // then on connect() spends its time searching for a free port (30% of the machine's CPU in a profile) and the
        // path measured later in a round finds the range fuller: the figure measured the host's port search, not the proxy.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };
        try
        {
            // IP_BIND_ADDRESS_NO_PORT: the port is still chosen at connect time, as for an unbound client.
            socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(IPAddress.Parse(target.Host), target.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task WaitForRuleAsync(string nodeName, string clusterIp)
    {
        var table = new Gantry.Node.Network.Proxy.ServiceProxyOptions { NodeName = nodeName }.TableName;
        for (var attempt = 0; !(await Host.RunAsync("nft", "list", "map", "ip", table, "service-ips")).Output.Contains($"{clusterIp} . tcp . 80 : goto", StringComparison.Ordinal); attempt++)
        {
            if (attempt == 100) throw new InvalidOperationException($"the service proxy did not program {clusterIp} within 20 s");
            await Task.Delay(200);
        }
    }

    private static async Task WaitForAsync(HttpClient http, string url)
    {
        for (var attempt = 0; ; attempt++)
        {
            string? error;
            try { error = await GetAsync(http, url); }
            catch (HttpRequestException ex) { error = ex.Message; }
            if (error is null) return;
            if (attempt == 100) throw new InvalidOperationException($"{url} did not answer within 20 s: {error}");
            await Task.Delay(200);
        }
    }

    private static async Task<string?> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK) return $"{url}: {(int)response.StatusCode}";
        await response.Content.ReadAsByteArrayAsync();
        return null;
    }
}
