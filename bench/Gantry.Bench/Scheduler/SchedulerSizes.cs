using System.Globalization;

namespace Gantry.Bench.Scheduler;

/// <summary>
/// Sizes of the scheduler suite: the (5,000 nodes, 50,000 pods) or a smoke run. GANTRY_BENCH_SCHEDULER_SIZE
/// ("nodes,pods", e.g. "1000,10000") scales the throughput and arrival parts down for before/after comparisons on a
/// loaded machine; the figures print the sizes they were measured at.
/// </summary>
internal sealed record SchedulerSizes(
    int Nodes, int Pods, int RawBinds, double ArrivalRate, TimeSpan ArrivalDuration, int QualityNodes, TimeSpan Stall)
{
    public static SchedulerSizes For(BenchSettings settings)
    {
        if (settings.Smoke) return new SchedulerSizes(20, 300, 100, 50, TimeSpan.FromSeconds(2), 5, TimeSpan.FromSeconds(30));
        var full = new SchedulerSizes(5_000, 50_000, 10_000, 1_000, TimeSpan.FromSeconds(60), 100, TimeSpan.FromSeconds(60));
        if (Environment.GetEnvironmentVariable("GANTRY_BENCH_SCHEDULER_SIZE") is not { Length: > 0 } size) return full;
        var parts = size.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return full with { Nodes = parts[0], Pods = parts[1], RawBinds = Math.Max(100, parts[1] / 5), ArrivalRate = Math.Max(10, full.ArrivalRate * parts[1] / full.Pods) };
    }
}
