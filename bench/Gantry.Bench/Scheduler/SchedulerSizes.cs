namespace Gantry.Bench.Scheduler;

/// <summary>Sizes of the scheduler suite: the (5,000 nodes, 50,000 pods) or a smoke run.</summary>
internal sealed record SchedulerSizes(
    int Nodes, int Pods, int RawBinds, double ArrivalRate, TimeSpan ArrivalDuration, int QualityNodes, TimeSpan Stall)
{
    public static SchedulerSizes For(BenchSettings settings) => settings.Smoke
        ? new SchedulerSizes(20, 300, 100, 50, TimeSpan.FromSeconds(2), 5, TimeSpan.FromSeconds(30))
        : new SchedulerSizes(5_000, 50_000, 10_000, 1_000, TimeSpan.FromSeconds(60), 100, TimeSpan.FromSeconds(60));
}
