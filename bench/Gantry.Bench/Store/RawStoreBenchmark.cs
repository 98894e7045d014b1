using System.Diagnostics;
using Gantry.Storage.Sqlite;

namespace Gantry.Bench.Store;

/// <summary>
/// Durable create throughput of the SQLite store alone, the reference every API figure is compared with:
/// <paramref name="concurrency"/> callers each await one create at a time, as concurrent API requests do.
/// </summary>
internal static class RawStoreBenchmark
{
    // About the size of a small pod's JSON.
    private const int ValueSize = 1024;

    /// <summary>Runs <paramref name="writes"/> creates against a fresh store in <paramref name="dir"/>, prints one line and returns the rate (writes/s).</summary>
    public static async Task<double> RunAsync(string dir, int writes, int concurrency, TextWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "raw-store-bench.db");
        DeleteFileSet(path);
        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);
        var latencies = new long[writes];
        var next = -1;
        var store = await SqliteStore.OpenAsync(path, new SqliteStoreOptions { CompactInterval = TimeSpan.Zero }, CancellationToken.None);
        try
        {
            var total = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < writes; i = Interlocked.Increment(ref next))
                {
                    var started = Stopwatch.GetTimestamp();
                    await store.CreateAsync($"/registry/pods/bench/pod-{i:D8}", value);
                    latencies[i] = Stopwatch.GetTimestamp() - started;
                }
            }));
            await Task.WhenAll(workers);
            total.Stop();
            Array.Sort(latencies);
            var rate = writes / total.Elapsed.TotalSeconds;
            output.WriteLine(
                $"store.sqlite.create: {writes} writes, {concurrency} concurrent, {rate:F0} writes/s, " +
                $"p50 {Milliseconds(latencies[writes / 2]):F2} ms, p99 {Milliseconds(latencies[Math.Min(writes - 1, writes * 99 / 100)]):F2} ms");
            return rate;
        }
        finally
        {
            await store.DisposeAsync();
            DeleteFileSet(path);
        }
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static void DeleteFileSet(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
