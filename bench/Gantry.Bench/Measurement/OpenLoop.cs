using System.Diagnostics;

namespace Gantry.Bench.Measurement;

/// <summary>
/// Latency at a fixed offered load: operations start on a schedule (<c>rate</c> per second) whether or not earlier
/// ones finished, and each latency counts from its scheduled start, so a stalled server cannot hide its stall by
/// slowing the client down (no coordinated omission).
/// </summary>
internal static class OpenLoop
{
    // Beyond this many operations in flight the server is hopelessly behind; waiting still counts in the latency.
    private const int MaxOutstanding = 20_000;

    /// <summary>Offers <paramref name="rate"/> operations per second for <paramref name="duration"/>.</summary>
    public static async Task<LoadResult> RunAsync(double rate, TimeSpan duration, Func<long, Task<string?>> operation)
    {
        var count = Math.Max(1, (long)(rate * duration.TotalSeconds));
        var latencies = new long[count];
        var ok = new bool[count];
        var tasks = new Task[count];
        long failed = 0;
        string? firstError = null;
        using var outstanding = new SemaphoreSlim(MaxOutstanding);
        var start = Stopwatch.GetTimestamp();
        var ticksPerOperation = Stopwatch.Frequency / rate;
        long sent = 0;
        while (sent < count)
        {
            var due = Math.Min(count, (long)((Stopwatch.GetTimestamp() - start) / ticksPerOperation) + 1);
            for (; sent < due; sent++)
            {
                await outstanding.WaitAsync();
                var index = sent;
                var scheduled = start + (long)(index * ticksPerOperation);
                tasks[index] = RunOneAsync(index, scheduled);
            }
            if (sent < count) await Task.Delay(1);
        }
        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var good = Enumerable.Range(0, (int)count).Where(i => ok[i]).Select(i => latencies[i]);
        var summary = new Latencies(good);
        return new LoadResult(summary.Count, failed, elapsed, summary, firstError);

        async Task RunOneAsync(long index, long scheduled)
        {
            try
            {
                string? error;
                try { error = await operation(index); }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException) { error = ex.Message; }
                latencies[index] = Stopwatch.GetTimestamp() - scheduled;
                ok[index] = error is null;
                if (error is not null)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
            finally
            {
                outstanding.Release();
            }
        }
    }
}
