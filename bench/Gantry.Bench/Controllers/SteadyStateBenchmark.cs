using System.Diagnostics;
using System.Text.Json;
using Gantry.Bench.Server;
using Gantry.Bench.Measurement;

namespace Gantry.Bench.Controllers;

/// <summary>
/// What the controllers cost when nothing changes: many converged Deployments (their pods stay Pending, there is no
/// scheduler), then a window in which the server's CPU time and the store's revision are read before and after. The
/// reference is the same window on the idle server, measured before the Deployments are created.
/// </summary>
internal static class SteadyStateBenchmark
{
    private const string Namespace = "bench";
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(string gantry, ControllerSizes sizes, Report report)
    {
        // "No scheduling needed": without the scheduler, Pending pods cost no status writes or events.
        await using var server = await ServerProcess.StartAsync(gantry, null, "--disable-scheduler");
        using var client = ApiClient.Create(server);
        await ApiClient.CreateNamespaceAsync(client, Namespace);
        // The controllers' own start (service accounts, root CA config maps) is not the idle state.
        var settled = await QuietAsync(server, client, sizes.SettleTimeout);
        // Nor is the first seconds' JIT and tiering work: rest before the idle reference.
        await Task.Delay(sizes.Rest);
        var idle = await WindowAsync(server, client, sizes.Window);
        report.Figure("controllers.idle.reference",
            $"server {idle.CpuShare:P2} of a core, {idle.Writes} writes in {sizes.Window.TotalSeconds:F0} s (idle server with controllers, no workloads; quiet after {settled.TotalSeconds:F1} s, then {sizes.Rest.TotalSeconds:F0} s of rest; RSS {Megabytes(server.Memory().Rss)})");

        var clock = Stopwatch.StartNew();
        await CreateDeploymentsAsync(client, sizes.Deployments, report);
        var created = clock.Elapsed;
        var converged = await ConvergeAsync(server, client, sizes);
        var quiet = await QuietAsync(server, client, sizes.SettleTimeout);
        report.Note($"controllers.steady: {sizes.Deployments} deployments created in {created.TotalSeconds:F1} s, observed and their ReplicaSets present after {converged.TotalSeconds:F1} s, " +
            $"no writes for {Quiet.TotalSeconds:F0} s after {quiet.TotalSeconds:F1} s more");

        var before = await RevisionAsync(client);
        var steady = await WindowAsync(server, client, sizes.Window);
        var controllerShare = steady.CpuShare - idle.CpuShare;
        report.Figure("controllers.steady.cpu",
            $"{controllerShare:P2} of a core over the idle server (whole server {steady.CpuShare:P2}, idle reference {idle.CpuShare:P2}; {sizes.Deployments} deployments, {sizes.Window.TotalSeconds:F0} s window)",
            controllerShare <= 0.02, "<= 2% of a core");
        report.Figure("controllers.steady.writes",
            $"{steady.Writes} writes in {sizes.Window.TotalSeconds:F0} s ({steady.Writes / sizes.Window.TotalSeconds:F1} writes/s; store revision {before} -> {before + steady.Writes})",
            steady.Writes == 0, "0 writes");
        report.Note($"controllers.steady: server RSS {Megabytes(server.Memory().Rss)} with {sizes.Deployments} deployments, their replica sets and Pending pods");
        if (steady.Writes > 0) report.Note($"controllers.steady.writes by kind (objects whose resourceVersion moved in the window): {await ChangedAsync(client, before)}");
    }

    private sealed record Window(double CpuShare, long Writes);

    private static async Task<Window> WindowAsync(ServerProcess server, HttpClient client, TimeSpan length)
    {
        var revision = await RevisionAsync(client);
        var cpu = ControllerApi.CpuTime(server.Process);
        var clock = Stopwatch.StartNew();
        await Task.Delay(length);
        var used = ControllerApi.CpuTime(server.Process) - cpu;
        var wall = clock.Elapsed;
        server.EnsureRunning();
        // The two revision reads are themselves reads, not writes: they do not move the revision.
        var writes = await RevisionAsync(client) - revision;
        return new Window(used / wall, writes);
    }

    private static async Task CreateDeploymentsAsync(HttpClient client, int count, Report report)
    {
        var path = $"/apis/apps/v1/namespaces/{Namespace}/deployments";
        long failed = 0;
        string? firstError = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
        {
            var template = ControllerApi.PodTemplate(new Dictionary<string, string> { ["bench"] = $"app-{i}" });
            var error = await ApiClient.PostAsync(client, path, ControllerApi.Workload("Deployment", $"app-{i}", 1, template), token);
            if (error is null) return;
            Interlocked.Increment(ref failed);
            Interlocked.CompareExchange(ref firstError, error, null);
        });
        if (failed > 0) report.Fail($"controllers.steady: {failed} of {count} deployment creates failed, first: {firstError}");
    }

    /// <summary>Waits until every Deployment's status.observedGeneration is its generation and each has its ReplicaSet.</summary>
    private static async Task<TimeSpan> ConvergeAsync(ServerProcess server, HttpClient client, ControllerSizes sizes)
    {
        var clock = Stopwatch.StartNew();
        var observed = 0;
        var replicaSets = 0L;
        while (clock.Elapsed < sizes.SettleTimeout)
        {
            server.EnsureRunning();
            using (var deployments = await ControllerApi.GetAsync(client, $"/apis/apps/v1/namespaces/{Namespace}/deployments"))
            {
                observed = deployments.RootElement.GetProperty("items").EnumerateArray().Count(Observed);
            }
            replicaSets = await ControllerApi.CountAsync(client, $"/apis/apps/v1/namespaces/{Namespace}/replicasets");
            if (observed >= sizes.Deployments && replicaSets >= sizes.Deployments) return clock.Elapsed;
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        throw new InvalidOperationException($"after {clock.Elapsed.TotalSeconds:F0} s only {observed} of {sizes.Deployments} deployments observed, {replicaSets} replica sets");

        static bool Observed(JsonElement deployment) =>
            deployment.TryGetProperty("status", out var status) && status.TryGetProperty("observedGeneration", out var seen)
            && seen.GetInt64() == deployment.GetProperty("metadata").GetProperty("generation").GetInt64();
    }

    /// <summary>Waits until the store's revision has not moved for <see cref="Quiet"/>, or the timeout passed (then measures anyway).</summary>
    private static async Task<TimeSpan> QuietAsync(ServerProcess server, HttpClient client, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var revision = await RevisionAsync(client);
        var since = clock.Elapsed;
        while (clock.Elapsed - since < Quiet && clock.Elapsed < timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            server.EnsureRunning();
            var now = await RevisionAsync(client);
            if (now == revision) continue;
            revision = now;
            since = clock.Elapsed;
        }
        return since;
    }

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024):F1} MB";

    private static Task<long> RevisionAsync(HttpClient client) => ControllerApi.RevisionAsync(client);

    /// <summary>Which objects were written after <paramref name="revision"/>, counted by resource (deleted objects are not seen).</summary>
    private static async Task<string> ChangedAsync(HttpClient client, long revision)
    {
        string[] collections =
        [
            "/api/v1/pods", "/api/v1/events", "/api/v1/endpoints", "/api/v1/configmaps", "/api/v1/serviceaccounts", "/api/v1/namespaces",
            "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets", "/apis/coordination.k8s.io/v1/leases", "/apis/discovery.k8s.io/v1/endpointslices",
        ];
        var parts = new List<string>();
        foreach (var collection in collections)
        {
            try
            {
                using var list = await ControllerApi.GetAsync(client, collection);
                var changed = list.RootElement.GetProperty("items").EnumerateArray()
                    .Count(item => long.Parse(item.GetProperty("metadata").GetProperty("resourceVersion").GetString()!) > revision);
                if (changed > 0) parts.Add($"{collection.Split('/')[^1]} {changed}");
            }
            catch (InvalidOperationException)
            {
                // A resource this server does not serve cannot have been written.
            }
        }
        return parts.Count > 0 ? string.Join(", ", parts) : "none of the listed resources (deletes, or another resource)";
    }
}
