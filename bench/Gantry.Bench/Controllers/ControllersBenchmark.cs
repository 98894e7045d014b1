using Gantry.Bench.Measurement;

namespace Gantry.Bench.Controllers;

/// <summary>The workload controllers inside <c>gantry server</c>: ReplicaSet scale-up rate, then the cost of many converged Deployments at rest.</summary>
internal static class ControllersBenchmark
{
    public static async Task RunAsync(string gantry, BenchSettings settings, Report report)
    {
        var sizes = ControllerSizes.For(settings);
        // Each part on its own server: the scale-up's pods would otherwise sit in the steady state's informers.
        await ScaleUpBenchmark.RunAsync(gantry, settings, sizes, report);
        await SteadyStateBenchmark.RunAsync(gantry, sizes, report);
    }
}
