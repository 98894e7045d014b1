using System.Diagnostics;
using System.Text.Json;
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
    private const string WarmNamespace = "bench-warm";
    private const string Name = "web";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync(string gantry, BenchSettings settings, ControllerSizes sizes, Report report)
    {
        var template = ControllerApi.PodTemplate(new Dictionary<string, string> { ["bench"] = Name });
        var pod = ControllerApi.Pod(template, $"{Name}-");
        // Attribution only: the same creates without controllers, so their informers' share of a pod create shows.
        await using (var apiOnly = await ServerProcess.StartAsync(gantry, null, "--disable-controller-manager", "--disable-scheduler"))
        {
            var apiOnlyClients = Enumerable.Range(0, settings.Connections).Select(_ => ApiClient.Create(apiOnly)).ToArray();
            try { await DirectCreatesAsync("controllers.api.pod.create.apiserver-only", apiOnly, apiOnlyClients, pod, sizes, report); }
            finally { foreach (var client in apiOnlyClients) client.Dispose(); }
        }

        // "No scheduling needed": without the scheduler, Pending pods cost no status writes or events.
        await using var server = await ServerProcess.StartAsync(gantry, null, "--disable-scheduler");
        var clients = Enumerable.Range(0, settings.Connections).Select(_ => ApiClient.Create(server)).ToArray();
        try
        {
            await ApiClient.CreateNamespaceAsync(clients[0], Namespace);
            var apiRate = await DirectCreatesAsync("controllers.api.pod.create", server, clients, pod, sizes, report);

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
            report.Note($"controllers.rs.scaleup events recorded so far in {Namespace} (the recorder's spam filter and async sink mean fewer than one per pod): {await EventsAsync(clients[0])}");
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private static async Task<double> DirectCreatesAsync(string figure, ServerProcess server, HttpClient[] clients, byte[] pod, ControllerSizes sizes, Report report)
    {
        // The controller runs on a warm server; so must its reference.
        await CreatePodsAsync(clients, WarmNamespace, pod, Math.Max(5, sizes.ScaleReplicas / 20), sizes.CreateConcurrency);
        var count = sizes.ScaleReplicas / 2;
        var cpu = CpuMeter.Start(server.Process);
        var clock = Stopwatch.StartNew();
        var (failed, collisions, firstError) = await CreatePodsAsync(clients, ApiNamespace, pod, count, sizes.CreateConcurrency);
        var elapsed = clock.Elapsed;
        server.EnsureRunning();
        if (failed > 0) report.Fail($"{figure}: {failed} of {count} creates failed, first: {firstError}");
        var rate = (count - failed) / elapsed.TotalSeconds;
        report.Figure(figure,
            $"{rate:F0} pods/s ({count - failed} direct creates, generateName, {sizes.CreateConcurrency} concurrent over {clients.Length} connections, in {elapsed.TotalSeconds:F1} s; " +
            $"{collisions} generated-name collisions answered 409 and retried by the bench; {cpu.Describe(count - failed)})");
        return rate;
    }

    /// <summary>
    /// Creates pods with generateName. A 409 AlreadyExists is a generated-name collision, which a Kubernetes 1.32 API
    /// server retries itself (KEP-4420): the bench retries it too, and counts it.
    /// </summary>
    private static async Task<(long Failed, long Collisions, string? FirstError)> CreatePodsAsync(HttpClient[] clients, string ns, byte[] pod, int count, int concurrency)
    {
        await ApiClient.CreateNamespaceAsync(clients[0], ns);
        var path = $"/api/v1/namespaces/{ns}/pods";
        long failed = 0, collisions = 0;
        string? firstError = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, token) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                var error = await ApiClient.PostAsync(clients[i % clients.Length], path, pod, token);
                if (error is null) return;
                if (attempt < 7 && error.StartsWith("409", StringComparison.Ordinal) && error.Contains("AlreadyExists", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref collisions);
                    continue;
                }
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, error, null);
                return;
            }
        });
        return (failed, collisions, firstError);
    }

    /// <summary>The ReplicaSet's events by reason with their counts, e.g. "SuccessfulCreate 10000, FailedCreate 3 (first: ...)".</summary>
    private static async Task<string> EventsAsync(HttpClient client)
    {
        using var list = await ControllerApi.GetAsync(client, $"/api/v1/namespaces/{Namespace}/events");
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        string? failure = null;
        foreach (var item in list.RootElement.GetProperty("items").EnumerateArray())
        {
            var reason = item.TryGetProperty("reason", out var r) ? r.GetString() ?? "" : "";
            var times = item.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : 1;
            reasons[reason] = reasons.GetValueOrDefault(reason) + times;
            if (reason.StartsWith("Failed", StringComparison.Ordinal) && item.TryGetProperty("message", out var m)) failure ??= m.GetString();
        }
        var text = string.Join(", ", reasons.Select(p => $"{p.Key} {p.Value}"));
        return failure is null ? text : $"{text} (first failure: {failure[..Math.Min(failure.Length, 200)]})";
    }
}
