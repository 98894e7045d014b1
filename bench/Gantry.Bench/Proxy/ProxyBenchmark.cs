using System.Collections.Concurrent;
using System.Diagnostics;
using Gantry.Bench.Measurement;
using Gantry.Bench.Server;
using Gantry.Client.Informers;
using Gantry.Node.Network.Proxy;
using k8s.Models;

namespace Gantry.Bench.Proxy;

/// <summary>
/// The service proxy against a real server: how long after the last of 1,000 services x 10 endpoints is written the
/// rules are in place, and what one service change costs in nft work next to a full rewrite. The proxy programs a
/// network namespace of its own (nothing on the host changes, no traffic is sent); the suite deletes it at the end.
/// </summary>
internal static class ProxyBenchmark
{
    private const string ClusterCidr = "10.200.0.0/16";
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(string gantry, BenchSettings settings, Report report)
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("the proxy suite needs root (network namespaces, nftables)");
        var sizes = ProxySizes.For(settings);
        var ns = "gantry-bench-proxy-" + Guid.NewGuid().ToString("N")[..8];
        await RunCheckedAsync("ip", "netns", "add", ns);
        try
        {
            await using var server = await ServerProcess.StartAsync(gantry, null, "--disable-controller-manager", "--disable-scheduler");
            using var client = Gantry.Client.ApiClient.FromKubeconfig(Path.Combine(server.DataDir, "kubeconfig.yaml"));
            await using var informers = new SharedInformerFactory(client);
            using var stop = new CancellationTokenSource();
            var syncs = new ConcurrentQueue<(long At, ServiceProxySync Sync)>();
            var proxy = new ServiceProxy(informers, Options("bench-node", ns));
            proxy.Synced += (_, sync) => syncs.Enqueue((Stopwatch.GetTimestamp(), sync));
            var running = proxy.RunAsync(stop.Token);
            try
            {
                // The server's own services (default/kubernetes) are there before ours: count on top of them.
                var baseline = (await WaitForSyncAsync(syncs, running, s => true, Stall)).Sync;
                var baselineElements = await CountServiceIPsAsync(ns, proxy.TableName);

                syncs.Clear();
                // When the informers delivered the last of our Services and slices: what the proxy cannot be faster than.
                var delivered = 0;
                long lastDelivered = 0;
                void Delivered()
                {
                    if (Interlocked.Increment(ref delivered) == 2 * sizes.Services) lastDelivered = Stopwatch.GetTimestamp();
                }
                using var serviceArrivals = informers.For<V1Service>().AddEventHandler(s => { if (s.Metadata.Name.StartsWith("svc-", StringComparison.Ordinal)) Delivered(); });
                using var sliceArrivals = informers.For<V1EndpointSlice>().AddEventHandler(s => { if (s.Metadata.Name.StartsWith("svc-", StringComparison.Ordinal)) Delivered(); });
                var clock = Stopwatch.StartNew();
                var firstWrite = Stopwatch.GetTimestamp();
                await Parallel.ForEachAsync(Enumerable.Range(0, sizes.Services), new ParallelOptions { MaxDegreeOfParallelism = sizes.WriteConcurrency }, async (i, token) =>
                {
                    await client.For<V1Service>().CreateAsync(Service(i), "default", token);
                    await client.For<V1EndpointSlice>().CreateAsync(Slice(i, sizes.EndpointsPerService, generation: 0), "default", token);
                });
                var lastWrite = Stopwatch.GetTimestamp();
                var created = clock.Elapsed;
                var all = await WaitForSyncAsync(syncs, running,
                    s => s.ServicePorts == baseline.ServicePorts + sizes.Services && s.Endpoints == baseline.Endpoints + sizes.Services * sizes.EndpointsPerService, Stall);
                var programmed = Stopwatch.GetElapsedTime(lastWrite, Math.Max(all.At, lastWrite));
                var elements = await CountServiceIPsAsync(ns, proxy.TableName);
                if (elements != baselineElements + sizes.Services) report.Fail($"proxy: service-ips holds {elements} elements, expected {baselineElements + sizes.Services}");
                var loadSyncs = syncs.ToArray();
                report.Figure($"proxy programmed {sizes.Services} services x {sizes.EndpointsPerService} endpoints",
                    $"{programmed.TotalMilliseconds:F0} ms after the last write (writes took {created.TotalSeconds:F1} s; {loadSyncs.Length} syncs, largest {loadSyncs.Max(s => s.Sync.Lines)} lines; " +
                    $"the last one started {(Stopwatch.GetElapsedTime(lastWrite, Math.Max(all.At, lastWrite)) - all.Sync.Duration).TotalMilliseconds:F0} ms after the write: " +
                    $"{all.Sync.Lines} lines, nft {all.Sync.NftTime.TotalMilliseconds:F0} ms, sync {all.Sync.Duration.TotalMilliseconds:F0} ms)",
                    programmed <= Target, "<= 1 s");
                report.Note("proxy syncs during the load (start and end in ms from the first write, lines, C# build and nft ms): " + string.Join("; ",
                    loadSyncs.Select(s => $"{Stopwatch.GetElapsedTime(firstWrite, s.At).TotalMilliseconds - s.Sync.Duration.TotalMilliseconds:F0}-" +
                        $"{Stopwatch.GetElapsedTime(firstWrite, s.At).TotalMilliseconds:F0} {s.Sync.Lines}L " +
                        $"{(s.Sync.Duration - s.Sync.NftTime).TotalMilliseconds:F0}+{s.Sync.NftTime.TotalMilliseconds:F0}")) +
                    $"; {loadSyncs.Sum(s => s.Sync.Lines)} lines in all (fewer when new chains were staged between syncs)" +
                    $"; last write at {Stopwatch.GetElapsedTime(firstWrite, lastWrite).TotalMilliseconds:F0}, last delivered by the informers at {Stopwatch.GetElapsedTime(firstWrite, lastDelivered).TotalMilliseconds:F0}");

                // One service changes: one endpoint replaced by another.
                syncs.Clear();
                var changed = Stopwatch.GetTimestamp();
                await client.For<V1EndpointSlice>().UpdateAsync(await ChangedSliceAsync(client, sizes.EndpointsPerService));
                var change = await WaitForSyncAsync(syncs, running, s => s.Lines > 0, Stall);
                var changeLatency = Stopwatch.GetElapsedTime(changed, change.At);

                // The reference: a second node's proxy, whose first sync writes the same services as one full table.
                var reference = new ServiceProxy(informers, Options("bench-node-reference", ns));
                var referenceSyncs = new ConcurrentQueue<(long At, ServiceProxySync Sync)>();
                reference.Synced += (_, sync) => referenceSyncs.Enqueue((Stopwatch.GetTimestamp(), sync));
                using var referenceStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                var referenceRunning = reference.RunAsync(referenceStop.Token);
                ServiceProxySync full;
                try
                {
                    full = (await WaitForSyncAsync(referenceSyncs, referenceRunning, s => s.Full, Stall)).Sync;
                }
                finally
                {
                    await referenceStop.CancelAsync();
                    await referenceRunning;
                    await reference.DisposeAsync();
                }
                report.Figure("proxy one service change",
                    $"{change.Sync.Lines} lines / {change.Sync.Bytes} bytes, nft {change.Sync.NftTime.TotalMilliseconds:F0} ms, sync {change.Sync.Duration.TotalMilliseconds:F0} ms " +
                    $"(programmed {changeLatency.TotalMilliseconds:F0} ms after the write); full rewrite (reference): {full.Lines} lines / {full.Bytes} bytes, " +
                    $"nft {full.NftTime.TotalMilliseconds:F0} ms, sync {full.Duration.TotalMilliseconds:F0} ms",
                    change.Sync.Lines * 100 < full.Lines, "O(1): < 1% of a full rewrite");
            }
            finally
            {
                await stop.CancelAsync();
                await running;
                await proxy.DisposeAsync();
            }
        }
        finally
        {
            await RunAsync("ip", "netns", "delete", ns);
        }
    }

    private static ServiceProxyOptions Options(string node, string ns) => new()
    {
        NodeName = node,
        ClusterCidr = ClusterCidr,
        NetworkNamespace = ns,
        // The figure is for kube-proxy's defaults.
        MinSyncInterval = TimeSpan.FromSeconds(1),
    };

    private static async Task<(long At, ServiceProxySync Sync)> WaitForSyncAsync(
        ConcurrentQueue<(long At, ServiceProxySync Sync)> syncs, Task running, Func<ServiceProxySync, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            foreach (var sync in syncs)
            {
                if (done(sync.Sync)) return sync;
            }
            if (running.IsCompleted) await running;
            if (deadline.Elapsed > timeout) throw new InvalidOperationException($"proxy: no matching sync within {timeout.TotalSeconds:F0} s");
            await Task.Delay(10);
        }
    }

    private static async Task<V1EndpointSlice> ChangedSliceAsync(Gantry.Client.ApiClient client, int endpoints)
    {
        var slice = await client.For<V1EndpointSlice>().GetAsync("default", Slice(0, endpoints, 0).Metadata.Name)
            ?? throw new InvalidOperationException("proxy: slice of service 0 is gone");
        slice.Endpoints[0].Addresses = [EndpointIP(0, endpoints + 1)];
        return slice;
    }

    private static V1Service Service(int i) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = $"svc-{i}", NamespaceProperty = "default" },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIP = $"10.43.{1 + i / 250}.{i % 250 + 1}",  // 10.43.0.x holds the kubernetes service
            Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP", TargetPort = 8080 }],
        },
    };

    private static V1EndpointSlice Slice(int service, int endpoints, int generation) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            Name = $"svc-{service}-slice",
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = $"svc-{service}" },
        },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
        Endpoints = Enumerable.Range(generation, endpoints).Select(e => new V1Endpoint
        {
            Addresses = [EndpointIP(service, e)],
            Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
        }).ToList(),
    };

    /// <summary>10.200.x.y: never contacted, the namespace has no interfaces beyond loopback.</summary>
    private static string EndpointIP(int service, int endpoint)
    {
        var n = service * 16 + endpoint;
        return $"10.200.{n / 250}.{n % 250 + 1}";
    }

    private static async Task<int> CountServiceIPsAsync(string ns, string table)
    {
        var listing = await RunCheckedAsync("ip", "netns", "exec", ns, "nft", "list", "map", "ip", table, "service-ips");
        return listing.Split("goto ").Length - 1;
    }

    private static async Task<string> RunCheckedAsync(string file, params string[] arguments)
    {
        var (code, output, error) = await RunAsync(file, arguments);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({code}): {error.Trim()}");
        return output;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
