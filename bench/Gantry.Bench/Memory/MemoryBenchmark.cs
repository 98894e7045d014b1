using Gantry.Bench.Measurement;
using Gantry.Bench.Server;

namespace Gantry.Bench.Memory;

/// <summary>
/// The server process's footprint: startup-to-ready time (median of several starts, fresh and existing data dir),
/// idle RSS, and RSS after storing many realistic pods.
/// </summary>
internal static class MemoryBenchmark
{
    private const string Namespace = "bench";
    private const double Megabyte = 1024 * 1024;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(string gantry, BenchSettings settings, Report report)
    {
        await StartupAsync(gantry, settings, report);

        // The API server alone (the issue 3 figures), then the whole server with its controllers, whose informers
        // keep typed copies of what they watch.
        await using (var apiOnly = await ServerProcess.StartAsync(gantry, null, "--disable-controller-manager", "--disable-scheduler"))
            await MeasureAsync(apiOnly, "apiserver", "--disable-controller-manager --disable-scheduler", 80, 300, settings, report);
        await using var server = await ServerProcess.StartAsync(gantry);
        await MeasureAsync(server, "server", "API server + controllers", null, null, settings, report);
    }

    private static async Task MeasureAsync(ServerProcess server, string label, string what, int? idleTarget, int? podsTarget, BenchSettings settings, Report report)
    {
        await Task.Delay(Settle);
        var idle = server.Memory();
        report.Figure($"memory.{label}.idle.rss", $"{idle.Rss / Megabyte:F1} MB (peak {idle.Peak / Megabyte:F1} MB, {Settle.TotalSeconds:F0} s after ready, {what})",
            idleTarget is null ? null : idle.Rss <= idleTarget * Megabyte, idleTarget is null ? null : $"<= {idleTarget} MB");

        using var client = ApiClient.Create(server);
        await ApiClient.CreateNamespaceAsync(client, Namespace);
        var size = PodManifest.Json(Namespace, 0).Length;
        long failed = 0;
        string? firstError = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, settings.Pods), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
        {
            var error = await ApiClient.PostAsync(client, $"/api/v1/namespaces/{Namespace}/pods", PodManifest.Json(Namespace, i), token);
            if (error is null) return;
            Interlocked.Increment(ref failed);
            Interlocked.CompareExchange(ref firstError, error, null);
        });
        var rate = settings.Pods / clock.Elapsed.TotalSeconds;
        server.EnsureRunning();
        if (failed > 0) report.Fail($"memory.pods: {failed} of {settings.Pods} creates failed, first: {firstError}");
        await Task.Delay(Settle);
        var full = server.Memory();
        var database = Directory.GetFiles(server.DataDir, "*.db*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        report.Figure($"memory.{label}.pods.rss",
            $"{full.Rss / Megabyte:F1} MB after {settings.Pods - failed} pods of {size} bytes JSON (peak {full.Peak / Megabyte:F1} MB, store files {database / Megabyte:F1} MB, loaded at {rate:F0} pods/s, {what})",
            podsTarget is null ? null : full.Rss <= podsTarget * Megabyte, podsTarget is null ? null : $"<= {podsTarget} MB");
    }

    private static async Task StartupAsync(string gantry, BenchSettings settings, Report report)
    {
        var fresh = new List<double>();
        for (var i = 0; i < settings.Starts; i++)
        {
            await using var server = await ServerProcess.StartAsync(gantry);
            fresh.Add(server.StartupTime.TotalMilliseconds);
        }
        var dir = Directory.CreateTempSubdirectory("gantry-bench-restart-").FullName;
        var again = new List<double>();
        try
        {
            await (await ServerProcess.StartAsync(gantry, dir)).DisposeAsync();
            for (var i = 0; i < settings.Starts; i++)
            {
                await using var server = await ServerProcess.StartAsync(gantry, dir);
                again.Add(server.StartupTime.TotalMilliseconds);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        var freshMedian = Median(fresh);
        var againMedian = Median(again);
        report.Figure("memory.startup.fresh", $"{freshMedian:F0} ms median of {fresh.Count} (new data dir: CA, keys, schema; all {string.Join(", ", fresh.Select(t => t.ToString("F0")))} ms)",
            freshMedian <= 1000, "<= 1 s");
        report.Figure("memory.startup.restart", $"{againMedian:F0} ms median of {again.Count} (existing data dir; all {string.Join(", ", again.Select(t => t.ToString("F0")))} ms)",
            againMedian <= 1000, "<= 1 s");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
