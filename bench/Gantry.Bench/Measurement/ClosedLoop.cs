using System.Diagnostics;

namespace Gantry.Bench.Measurement;

/// <summary>
/// Throughput: <c>concurrency</c> callers each issue the next operation as soon as the previous one finished,
/// for a fixed time. Measures the most the server sustains, not latency under a given load.
/// </summary>
internal static class ClosedLoop
{
    /// <summary>Runs <paramref name="operation"/> (given a unique sequence number; returns null or an error) until <paramref name="duration"/> passed.</summary>
    public static async Task<LoadResult> RunAsync(int concurrency, TimeSpan duration, Func<long, Task<string?>> operation)
    {
        long next = -1, failed = 0;
        string? firstError = null;
        var samples = new List<long>[concurrency];
        var total = Stopwatch.StartNew();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = samples[worker] = new List<long>(4096);
            while (Stopwatch.GetTimestamp() < end)
            {
                var started = Stopwatch.GetTimestamp();
                string? error;
                try { error = await operation(Interlocked.Increment(ref next)); }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException) { error = ex.Message; }
                if (error is null)
                {
                    mine.Add(Stopwatch.GetTimestamp() - started);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        total.Stop();
        var latencies = new Latencies(samples.SelectMany(s => s));
        return new LoadResult(latencies.Count, failed, total.Elapsed, latencies, firstError);
    }
}
