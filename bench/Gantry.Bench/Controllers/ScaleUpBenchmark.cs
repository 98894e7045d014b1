using System.Diagnostics;
using Gantry.Bench.Measurement;
using Gantry.Bench.Server;

namespace Gantry.Bench.Controllers;

/// <summary>
/// The ReplicaSet controller's pod-creation rate: a ReplicaSet at 0 replicas is scaled to N through the scale
/// subresource and the clock runs until N pods exist. The reference is the API's own create rate for the same pod,
/// N/2 direct creates at high concurrency in another namespace, measured right before on the same server.
/// </summary>
internal static class ScaleUpBenchmark
{
    private const string Namespace = "bench";
    private const string ApiNamespace = "bench-api";
    private const string Name = "web";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync(string gantryDll, BenchSettings settings, ControllerSizes sizes, Report report)
    {
        await using var server = await ServerProcess.StartAsync(gantryDll);
        var clients = Enumerable.Range(0, settings.Connections).Select(_ => ApiClient.Create(server)).ToArray();
        try
        {
            await ApiClient.CreateNamespaceAsync(clients[0], Namespace);
            await ApiClient.CreateNamespaceAsync(clients[0], ApiNamespace);
            var template = ControllerApi.PodTemplate(new Dictionary<string, string> { ["bench"] = Name });
            var apiRate = await DirectCreatesAsync(server, clients, ControllerApi.Pod(template, $"{Name}-"), sizes, report);

            var replicaSets = $"/apis/apps/v1/namespaces/{Namespace}/replicasets";
            var created = await ApiClient.PostAsync(clients[0], replicaSets, ControllerApi.Workload("ReplicaSet", Name, 0, template));
            if (created is not null) throw new InvalidOperationException($"creating the ReplicaSet: {created}");
            // Let the controller see the empty ReplicaSet first, so the clock measures the scale-up and not the informer's start.
            await Task.Delay(TimeSpan.FromSeconds(1));

            var target = sizes.ScaleReplicas;
            var pods = $"/api/v1/namespaces/{Namespace}/pods";
            var cpu = CpuMeter.Start(server.Process);
            var clock = Stopwatch.StartNew();
            await ControllerApi.MergePatchAsync(clients[0], $"{replicaSets}/{Name}/scale", $$$"""{"spec":{"replicas":{{{target}}}}}""");
            TimeSpan? first = null, half = null;
            long count = 0;
            while (clock.Elapsed < sizes.ScaleTimeout)
            {
                server.EnsureRunning();
                count = await ControllerApi.CountAsync(clients[1 % clients.Length], pods);
                if (count > 0) first ??= clock.Elapsed;
                if (count * 2 >= target) half ??= clock.Elapsed;
                if (count >= target) break;
                await Task.Delay(Poll);
            }
            var elapsed = clock.Elapsed;
            var usage = cpu.Describe(count);
            if (count < target)
            {
                report.Fail($"controllers.rs.scaleup: {count} of {target} pods after {elapsed.TotalSeconds:F0} s");
                return;
            }
            var rate = target / elapsed.TotalSeconds;
            report.Figure("controllers.rs.scaleup",
                $"{rate:F0} pods/s ({target} pods in {elapsed.TotalSeconds:F1} s from the scale write; first pod after {first!.Value.TotalMilliseconds:F0} ms, " +
                $"half after {half!.Value.TotalSeconds:F1} s; polled every {Poll.TotalMilliseconds:F0} ms; {usage})");
            var ratio = rate / apiRate;
            report.Figure("controllers.rs.scaleup.vs.api",
                $"{ratio:P0} (controller {rate:F0} pods/s vs direct API creates {apiRate:F0} pods/s of the same pod measured right before)",
                ratio >= 0.8, ">= 80%");
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private static async Task<double> DirectCreatesAsync(ServerProcess server, HttpClient[] clients, byte[] pod, ControllerSizes sizes, Report report)
    {
        var count = sizes.ScaleReplicas / 2;
        var path = $"/api/v1/namespaces/{ApiNamespace}/pods";
        long failed = 0;
        string? firstError = null;
        var cpu = CpuMeter.Start(server.Process);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = sizes.CreateConcurrency }, async (i, token) =>
        {
            var error = await ApiClient.PostAsync(clients[i % clients.Length], path, pod, token);
            if (error is null) return;
            Interlocked.Increment(ref failed);
            Interlocked.CompareExchange(ref firstError, error, null);
        });
        var elapsed = clock.Elapsed;
        server.EnsureRunning();
        if (failed > 0) report.Fail($"controllers.api.pod.create: {failed} of {count} creates failed, first: {firstError}");
        var rate = (count - failed) / elapsed.TotalSeconds;
        report.Figure("controllers.api.pod.create",
            $"{rate:F0} pods/s ({count - failed} direct creates, generateName, {sizes.CreateConcurrency} concurrent over {clients.Length} connections, in {elapsed.TotalSeconds:F1} s; {cpu.Describe(count - failed)})");
        return rate;
    }
}
