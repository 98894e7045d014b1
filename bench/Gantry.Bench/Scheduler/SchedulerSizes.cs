using System.Globalization;

namespace Gantry.Bench.Scheduler;

/// <summary>
/// Sizes of the scheduler suite: the (5,000 nodes, 50,000 pods) or a smoke run. GANTRY_BENCH_SCHEDULER_SIZE
/// ("nodes,pods", e.g. "1000,10000") scales the throughput and arrival parts down for before/after comparisons on a
/// loaded machine; "nodes,pods,rate,seconds" also sets the arrival part (e.g. "1000,5000,1000,20": the full rate for
/// 20 s on a small cluster). The figures print the sizes they were measured at.
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
        var scaled = full with { Nodes = parts[0], Pods = parts[1], RawBinds = Math.Max(100, parts[1] / 5), ArrivalRate = Math.Max(10, full.ArrivalRate * parts[1] / full.Pods) };
        return parts.Length < 4 ? scaled : scaled with { ArrivalRate = parts[2], ArrivalDuration = TimeSpan.FromSeconds(parts[3]) };
    }
}
