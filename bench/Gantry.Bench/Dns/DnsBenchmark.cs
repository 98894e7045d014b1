using System.Net;
using System.Net.Sockets;
using Gantry.ApiServer;
using Gantry.Bench.Measurement;
using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Node.Network.Dns;
using k8s.Models;

namespace Gantry.Bench.Dns;

/// <summary>
/// Cluster DNS throughput (issue: >= 20,000 A queries/s from one client on loopback): an in-process API server (memory
/// store) holds a set of ClusterIP services, the cluster DNS server serves them from its informers on 127.0.0.1, and
/// one UDP socket keeps many A queries in flight, round-robin over the service names.
/// </summary>
internal static class DnsBenchmark
{
    private const double Target = 20_000;

    public static async Task RunAsync(BenchSettings settings, Report report)
    {
        var services = settings.Smoke ? 10 : 1_000;
        var inFlight = settings.Smoke ? 8 : 128;
        var dataDir = Directory.CreateTempSubdirectory("gantry-bench-dns-").FullName;
        try
        {
            await using var host = await ApiServerHost.StartAsync(new ServerOptions
            {
                DataDir = dataDir,
                BindAddress = IPAddress.Loopback,
                HttpsPort = FreePort(),
                DatastoreEndpoint = "memory://",
            }, null, CancellationToken.None);
            using var client = ApiClient.FromKubeconfig(Path.Combine(dataDir, "kubeconfig.yaml"));
            var names = await CreateServicesAsync(client, services);

            using var stop = new CancellationTokenSource();
            await using var informers = new SharedInformerFactory(client);
            var port = FreePort();
            var emptyResolvConf = Path.Combine(dataDir, "resolv.conf");
            await File.WriteAllTextAsync(emptyResolvConf, "");
            var dns = new ClusterDnsServer(informers, new ClusterDnsOptions
            {
                ListenAddresses = [IPAddress.Loopback],
                Port = port,
                ResolvConfPath = emptyResolvConf,
            });
            await using (dns)
            {
                informers.Start(stop.Token);
                await dns.StartAsync(CancellationToken.None);
                var load = new UdpQueryLoad(new IPEndPoint(IPAddress.Loopback, port), names, inFlight);
                var result = await load.RunAsync(settings.Warmup, settings.ThroughputDuration, CancellationToken.None);
                report.Figure($"dns A queries/s (1 UDP socket, {inFlight} in flight, {services} services, {settings.ThroughputDuration.TotalSeconds:0.#} s)",
                    $"{result.PerSecond:N0}/s ({result.Latencies.Summary}; {result.Lost} lost; {result.CpuSummary})",
                    settings.Smoke ? null : result.PerSecond >= Target, $">= {Target:N0}/s");
                if (result.Answered == 0) report.Fail("dns: no answers");
                if (result.Failed > 0) report.Fail($"dns: {result.Failed} answers were not NOERROR with an A record");
                await stop.CancelAsync();
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<List<string>> CreateServicesAsync(ApiClient client, int count)
    {
        var api = client.For<V1Service>();
        var names = new List<string>(count);
        for (var batch = 0; batch < count; batch += 64)
        {
            await Task.WhenAll(Enumerable.Range(batch, Math.Min(64, count - batch)).Select(i => api.CreateAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = $"svc-{i}", NamespaceProperty = "default" },
                Spec = new V1ServiceSpec { ClusterIP = $"10.43.{1 + i / 250}.{1 + i % 250}", Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
            }, "default")));
        }
        for (var i = 0; i < count; i++) names.Add($"svc-{i}.default.svc.cluster.local");
        return names;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
