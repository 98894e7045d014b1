using System.Text;
using Gantry.Bench.Measurement;
using Gantry.Bench.Server;
using Gantry.Bench.Store;

namespace Gantry.Bench.Api;

/// <summary>
/// The API server over HTTPS/HTTP/2: GET and create throughput (closed loop), their latency at half the target rates
/// (open loop), and the create rate as a share of the raw SQLite store's, measured in the same run right before.
/// Issue 3's figures are the API server's: measured on <c>gantry server</c> with the controllers and the scheduler
/// disabled. The whole control plane (the default <c>gantry server</c>, whose in-process controllers watch every
/// created object over HTTPS too) follows as a reference, its rows named <c>api.whole-server.*</c>.
/// <c>GANTRY_BENCH_API_SERVERS=alone|whole</c> runs only one of the two.
/// </summary>
internal static class ApiBenchmark
{
    private const string Namespace = "bench";
    private const string Collection = "/api/v1/namespaces/" + Namespace + "/configmaps";
    private const string GetPath = Collection + "/cm-get";

    public static async Task RunAsync(string gantry, BenchSettings settings, Report report)
    {
        var scratch = Directory.CreateTempSubdirectory("gantry-bench-store-").FullName;
        double storeRate;
        try
        {
            storeRate = await RawStoreBenchmark.RunAsync(scratch, settings.StoreWrites, settings.StoreConcurrency, report.Output);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        var servers = Environment.GetEnvironmentVariable("GANTRY_BENCH_API_SERVERS");
        if (servers is not "whole")
        {
            await using var alone = await ServerProcess.StartAsync(gantry, null, "--disable-controller-manager", "--disable-scheduler");
            await MeasureAsync(alone, "api", withGets: true, storeRate, settings, report);
        }
        if (servers is not "alone")
        {
            await using var whole = await ServerProcess.StartAsync(gantry);
            await MeasureAsync(whole, "api.whole-server", withGets: false, storeRate, settings, report);
        }
    }

    private static async Task MeasureAsync(ServerProcess server, string prefix, bool withGets, double storeRate, BenchSettings settings, Report report)
    {
        using var setup = ApiClient.Create(server);
        var measured = Enumerable.Range(0, settings.Connections).Select(_ => new MeasuredClient(server)).ToArray();
        // Stands in for HttpClient's per-request timeout: a request still hanging this long after the start fails.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await ApiClient.CreateNamespaceAsync(setup, Namespace);
            var seed = await ApiClient.PostAsync(setup, Collection, ConfigMap("cm-get", "seed"));
            if (seed is not null) throw new InvalidOperationException($"creating the GET target: {seed}");
            // A fast answer only counts if it is the object: check once what the measured GET returns.
            var body = await setup.GetStringAsync(GetPath);
            if (!body.Contains("\"name\":\"cm-get\"", StringComparison.Ordinal)) throw new InvalidOperationException($"GET {GetPath} returned {body}");
            var shape = $"{settings.Connections} connections";

            var getUri = new Uri(server.Url, GetPath);
            var collectionUri = new Uri(server.Url, Collection);
            Func<long, Task<string?>> get = i => measured[i % measured.Length].GetAsync(getUri, deadline.Token);
            Func<string, Func<long, Task<string?>>> create = phase =>
                i => measured[i % measured.Length].PostAsync(collectionUri, ConfigMap($"cm-{phase}-{i}", "value"), deadline.Token);

            if (withGets) await ClosedLoop.RunAsync(settings.GetConcurrency, settings.Warmup, get);
            await ClosedLoop.RunAsync(settings.CreateConcurrency, settings.Warmup, create("warm"));

            LoadResult? gets = null;
            if (withGets)
            {
                var getCpu = CpuMeter.Start(server.Process);
                gets = await ClosedLoop.RunAsync(settings.GetConcurrency, settings.ThroughputDuration, get);
                server.EnsureRunning();
                report.CheckErrors($"{prefix}.get.throughput", gets);
                report.Figure($"{prefix}.get.throughput",
                    $"{gets.Rate:F0} req/s ({settings.GetConcurrency} concurrent, {shape}, {gets.Succeeded} in {gets.Elapsed.TotalSeconds:F1} s, {gets.Latencies.Summary}; {getCpu.Describe(gets.Succeeded)})",
                    gets.Rate >= settings.GetTarget, $">= {settings.GetTarget:F0}/s");
            }

            var cpu = CpuMeter.Start(server.Process);
            var creates = await ClosedLoop.RunAsync(settings.CreateConcurrency, settings.ThroughputDuration, create("tput"));
            server.EnsureRunning();
            report.CheckErrors($"{prefix}.create.throughput", creates);
            report.Figure($"{prefix}.create.throughput",
                $"{creates.Rate:F0} creates/s durable ({settings.CreateConcurrency} concurrent, {shape}, {creates.Succeeded} in {creates.Elapsed.TotalSeconds:F1} s, {creates.Latencies.Summary}; {cpu.Describe(creates.Succeeded)})",
                creates.Rate >= settings.CreateTarget, $">= {settings.CreateTarget:F0}/s");
            var ratio = creates.Rate / storeRate;
            report.Figure($"{prefix}.create.vs.store",
                $"{ratio:P0} (API {creates.Rate:F0}/s vs raw store {storeRate:F0}/s measured in this run)", ratio >= 0.5, ">= 50%");

            if (gets is not null)
            {
                await LatencyAsync(report, server, $"{prefix}.get.latency", settings.GetTarget / 2, settings.LatencyDuration, get);
                if (gets.Rate < settings.GetTarget)
                {
                    await LatencyAsync(report, server, $"{prefix}.get.latency.half-measured", gets.Rate / 2, settings.LatencyDuration, get);
                }
            }
            await LatencyAsync(report, server, $"{prefix}.create.latency", settings.CreateTarget / 2, settings.LatencyDuration, create("lat"));
            if (creates.Rate < settings.CreateTarget)
            {
                await LatencyAsync(report, server, $"{prefix}.create.latency.half-measured", creates.Rate / 2, settings.LatencyDuration, create("lat2"));
            }
        }
        finally
        {
            foreach (var client in measured) client.Dispose();
        }
    }

    private static async Task LatencyAsync(Report report, ServerProcess server, string name, double rate, TimeSpan duration, Func<long, Task<string?>> operation)
    {
        var cpu = CpuMeter.Start(server.Process);
        var result = await OpenLoop.RunAsync(rate, duration, operation);
        server.EnsureRunning();
        report.CheckErrors(name, result);
        report.Figure(name,
            $"{result.Latencies.Summary} at {rate:F0}/s offered open loop ({result.Succeeded} ok in {result.Elapsed.TotalSeconds:F1} s; {cpu.Describe(result.Succeeded)})");
    }

    private static byte[] ConfigMap(string name, string value) =>
        Encoding.UTF8.GetBytes($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","labels":{"app":"bench"}},"data":{"key":"{{{value}}}"}}""");
}
