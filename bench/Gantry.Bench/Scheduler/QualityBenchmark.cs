using System.Text.Json;
using Gantry.Bench.Controllers;
using Gantry.Bench.Measurement;
using Gantry.Bench.Server;

namespace Gantry.Bench.Scheduler;

/// <summary>
/// Placement quality: pods of mixed sizes arrive one after another on a small cluster until it overflows; the figure
/// is how full the cluster's cpu was (bound requests / allocatable) when the first pod could not be placed.
/// </summary>
internal static class QualityBenchmark
{
    private const string Namespace = "sched-quality";
    private static readonly (string Cpu, long MilliCpu, string Memory)[] Shapes = [("100m", 100, "128Mi"), ("250m", 250, "256Mi"), ("500m", 500, "512Mi")];

    public static async Task RunAsync(string gantry, BenchSettings settings, SchedulerSizes sizes, Report report)
    {
        await using var cluster = await SchedulerCluster.StartAsync(gantry, sizes.QualityNodes, settings.Connections, "10s");
        await using var scheduler = await cluster.StartSchedulerAsync();
        await ApiClient.CreateNamespaceAsync(cluster.Clients[0], Namespace);
        await using var watch = BindWatch.Start(cluster.Clients[^1], Namespace, await cluster.PodsRevisionAsync());
        var capacity = sizes.QualityNodes * 8_000L;
        var random = new Random(42);
        var shapes = new List<(string Cpu, long MilliCpu, string Memory)>();
        for (long total = 0; total < capacity * 11 / 10; total += shapes[^1].MilliCpu) shapes.Add(Shapes[random.Next(Shapes.Length)]);
        // One at a time, so arrival order is creation order.
        await cluster.CreatePodsAsync(Namespace, "q-", shapes.Count, 1, i => (shapes[i].Cpu, shapes[i].Memory));
        var deadline = DateTime.UtcNow + sizes.Stall;
        while (watch.Unschedulable.IsEmpty && DateTime.UtcNow < deadline)
        {
            cluster.EnsureRunning();
            scheduler.EnsureRunning();
            await Task.Delay(100);
        }
        if (watch.Unschedulable.IsEmpty)
        {
            report.Fail($"scheduler.quality: no pod reported Unschedulable although {shapes.Count} pods ask for 110% of the cluster's cpu");
            return;
        }
        var firstFailure = watch.Unschedulable.Values.Min();
        using var list = await ControllerApi.GetAsync(cluster.Clients[0], $"/api/v1/namespaces/{Namespace}/pods");
        long boundBefore = 0;
        foreach (var pod in list.RootElement.GetProperty("items").EnumerateArray())
        {
            var name = pod.GetProperty("metadata").GetProperty("name").GetString()!;
            if (watch.Bound.TryGetValue(name, out var at) && at < firstFailure) boundBefore += CapacityCheck.Requests(pod.GetProperty("spec")).Cpu;
        }
        var fill = (double)boundBefore / capacity;
        report.Figure("scheduler.quality.fill",
            $"{fill:P1} of the cluster's cpu requested by bound pods when the first pod was unschedulable ({sizes.QualityNodes} nodes of 8 cpu; pods of 100m/250m/500m cpu, random, {shapes.Count} created)",
            fill >= 0.95, ">= 95%");
        var violation = await CapacityCheck.FindViolationAsync(cluster.Clients[0]);
        if (violation is not null) report.Fail($"scheduler.quality capacity: {violation}");
    }
}
