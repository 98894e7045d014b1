using System.Diagnostics;
using System.Text;
using Gantry.Bench.Measurement;
using Gantry.Bench.Server;

namespace Gantry.Bench.Scheduler;

/// <summary>
/// The scheduler at scale, as Kubernetes' scheduler_perf measures it: pods created before the scheduler starts are
/// placed onto hollow nodes through the API server and the durable store; the clock runs from the first bind to the
/// last, as a watch sees them. The reference is the raw binding-write rate (pods/binding POSTed directly, as fast as
/// the API takes them) measured on the same cluster right before. Then steady arrival on the same cluster, and the
/// fill quality on a small one.
/// </summary>
internal static class SchedulerBenchmark
{
    private const string Namespace = "sched";
    private const string RawNamespace = "sched-raw";
    private const string ArrivalNamespace = "sched-arrival";

    private const int SettlePage = 500;

    public static async Task RunAsync(string gantry, BenchSettings settings, Report report)
    {
        var sizes = SchedulerSizes.For(settings);
        // Hollow nodes renew their leases every 60 s here instead of 10 s (the issue allows it): 5,000 nodes would otherwise add 500 writes/s.
        await using (var cluster = await SchedulerCluster.StartAsync(gantry, sizes.Nodes, settings.Connections, "60s"))
        {
            await cluster.CreatePodsAsync(Namespace, "p-", sizes.Pods, settings.CreateConcurrency, _ => ("100m", "128Mi"));
            var raw = await RawBindRateAsync(cluster, sizes, settings, report);
            var started = Stopwatch.GetTimestamp();
            await using var scheduler = await cluster.StartSchedulerAsync();
            await ThroughputAsync(cluster, scheduler, sizes, raw, started, report);
            if (!await SettleAsync(cluster, scheduler, sizes, report)) return;
            await ArrivalAsync(cluster, scheduler, sizes, report);
        }
        await QualityBenchmark.RunAsync(gantry, settings, sizes, report);
    }

    /// <summary>
    /// The raw binding-write rate alone, on the same cluster shape as <see cref="RunAsync"/> (the API server's side of
    /// the scheduler figures, quick enough to compare server builds).
    /// </summary>
    public static async Task RunRawBindAsync(string gantry, BenchSettings settings, Report report)
    {
        var sizes = SchedulerSizes.For(settings);
        await using var cluster = await SchedulerCluster.StartAsync(gantry, sizes.Nodes, settings.Connections, "60s");
        await cluster.CreatePodsAsync(Namespace, "p-", sizes.Pods, settings.CreateConcurrency, _ => ("100m", "128Mi"));
        await RawBindRateAsync(cluster, sizes, settings, report);
    }

    private static async Task<double> RawBindRateAsync(SchedulerCluster cluster, SchedulerSizes sizes, BenchSettings settings, Report report)
    {
        await cluster.CreatePodsAsync(RawNamespace, "r-", sizes.RawBinds, settings.CreateConcurrency, _ => ("100m", "128Mi"));
        long failed = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, sizes.RawBinds), new ParallelOptions { MaxDegreeOfParallelism = settings.CreateConcurrency }, async (i, token) =>
        {
            var name = $"r-{i:D6}";
            var binding = Encoding.UTF8.GetBytes($$$"""
                {"apiVersion":"v1","kind":"Binding","metadata":{"name":"{{{name}}}"},"target":{"apiVersion":"v1","kind":"Node","name":"hollow-{{{i % sizes.Nodes}}}"}}
                """);
            var error = await ApiClient.PostAsync(cluster.Clients[i % cluster.Clients.Length], $"/api/v1/namespaces/{RawNamespace}/pods/{name}/binding", binding, token);
            if (error is null) return;
            Interlocked.Increment(ref failed);
            Interlocked.CompareExchange(ref firstError, error, null);
        });
        var elapsed = clock.Elapsed;
        cluster.EnsureRunning();
        if (failed > 0) report.Fail($"scheduler.raw.bind: {failed} of {sizes.RawBinds} bindings failed, first: {firstError}");
        var rate = (sizes.RawBinds - failed) / elapsed.TotalSeconds;
        report.Figure("scheduler.raw.bind",
            $"{rate:F0} bindings/s ({sizes.RawBinds - failed} pods/binding POSTs, {settings.CreateConcurrency} concurrent, in {elapsed.TotalSeconds:F1} s, {sizes.Pods} pending pods and {sizes.Nodes} nodes stored)");
        return rate;
    }

    private static async Task ThroughputAsync(SchedulerCluster cluster, GantryProcess scheduler, SchedulerSizes sizes, double raw, long started, Report report)
    {
        // The scheduler lists the pods itself; the watch only needs what happens from now on.
        await using var watch = BindWatch.Start(cluster.Clients[^1], Namespace, await cluster.PodsRevisionAsync());
        var complete = await watch.WaitForBoundAsync(sizes.Pods, sizes.Stall, () => { cluster.EnsureRunning(); scheduler.EnsureRunning(); }, sizes.Stall * 5);
        if (watch.Resumes + watch.Relists > 0)
            report.Note($"scheduler.throughput: the bench's watch was ended by the server {watch.Resumes + watch.Relists} times and resumed ({watch.Relists} by a list)");
        if (!complete)
        {
            report.Fail($"scheduler.throughput: {watch.Bound.Count} of {sizes.Pods} pods bound, no progress for {sizes.Stall.TotalSeconds:F0} s");
            return;
        }
        var first = watch.Bound.Values.Min();
        var last = watch.Bound.Values.Max();
        // Not part of the figure (scheduler_perf starts its clock at the first bind), but it is the scheduler's list.
        report.Note($"scheduler.startup: first bind {Latencies.Milliseconds(first - started) / 1000:F1} s after the scheduler process started (it lists {sizes.Pods + sizes.RawBinds} pods first)");
        var seconds = Latencies.Milliseconds(last - first) / 1000;
        var rate = (sizes.Pods - 1) / Math.Max(seconds, 1e-3);
        report.Figure("scheduler.throughput",
            $"{rate:F0} pods/s ({sizes.Pods} pending pods of 100m/128Mi onto {sizes.Nodes} hollow nodes, first bind to last bind {seconds:F1} s)",
            rate >= 5_000, ">= 5,000 pods/s");
        report.Figure("scheduler.throughput.vs.raw", $"{rate / raw:P0} (scheduler {rate:F0} pods/s vs raw binding writes {raw:F0}/s)", rate / raw >= 0.5, ">= 50%");
        var violation = await CapacityCheck.FindViolationAsync(cluster.Clients[0]);
        if (violation is not null) report.Fail($"scheduler.capacity: {violation}");
        else report.Note($"scheduler.capacity: every node's bound pods fit its allocatable cpu, memory and pod count ({sizes.Pods + sizes.RawBinds} pods checked)");
    }

    // A create that cannot even connect (an overloaded server not finishing the HTTP/2 handshake in time) is one failed
    // create, counted and reported, not the end of the phase.
    // The answer's time goes to answered[index]: how long the server took to accept the create is the first part of a
    // pod's way to its node.
    private static async Task<string?> CreateAsync(HttpClient client, string path, byte[] pod, long[] answered, int index)
    {
        try
        {
            return await ApiClient.PostAsync(client, path, pod);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex.Message;
        }
        finally
        {
            answered[index] = Stopwatch.GetTimestamp();
        }
    }

    private static async Task<int> BoundInNamespaceAsync(SchedulerCluster cluster, string ns)
    {
        using var list = await Controllers.ControllerApi.GetAsync(cluster.Clients[0], $"/api/v1/namespaces/{ns}/pods");
        return list.RootElement.GetProperty("items").EnumerateArray()
            .Count(p => p.GetProperty("spec").TryGetProperty("nodeName", out var node) && node.GetString() is { Length: > 0 });
    }

    /// <summary>
    /// Waits until the hollow nodes have reported every pod of the throughput part Running. Each bound pod costs its node a
    /// status write, and after 50,000 bindings in half a minute those writes are still queued: "steady arrival" starts
    /// on a cluster that has finished them, as scheduler_perf runs each workload on its own.
    /// </summary>
    private static async Task<bool> SettleAsync(SchedulerCluster cluster, GantryProcess scheduler, SchedulerSizes sizes, Report report)
    {
        var start = Stopwatch.GetTimestamp();
        var lastChange = start;
        var last = (Count: -1, First: "");
        while (true)
        {
            var now = await NotRunningAsync(cluster, Namespace);
            if (now.Count == 0) now = await NotRunningAsync(cluster, RawNamespace);
            if (now.Count == 0) break;
            if (now != last) (last, lastChange) = (now, Stopwatch.GetTimestamp());
            else if (Stopwatch.GetElapsedTime(lastChange) > sizes.Stall)
            {
                report.Fail($"scheduler.settle: {now.Count}{(now.Count == SettlePage ? "+" : "")} pods not Running, unchanged for {sizes.Stall.TotalSeconds:F0} s");
                return false;
            }
            cluster.EnsureRunning();
            scheduler.EnsureRunning();
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        report.Note($"scheduler.settle: the hollow nodes reported every pod of the throughput and raw parts Running {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s after the last bind; the arrival starts then");
        return true;
    }

    // The first page of pods not Running yet: its size and first name, which change while the nodes make progress (the
    // server gives no remaining count under a field selector, as Kubernetes).
    private static async Task<(int Count, string First)> NotRunningAsync(SchedulerCluster cluster, string ns)
    {
        using var list = await Controllers.ControllerApi.GetAsync(cluster.Clients[0],
            $"/api/v1/namespaces/{ns}/pods?fieldSelector=status.phase!%3DRunning&limit={SettlePage}");
        var items = list.RootElement.GetProperty("items");
        return (items.GetArrayLength(), items.GetArrayLength() == 0 ? "" : items[0].GetProperty("metadata").GetProperty("name").GetString()!);
    }

    private static async Task ArrivalAsync(SchedulerCluster cluster, GantryProcess scheduler, SchedulerSizes sizes, Report report)
    {
        await ApiClient.CreateNamespaceAsync(cluster.Clients[0], ArrivalNamespace);
        await using var watch = BindWatch.Start(cluster.Clients[^1], ArrivalNamespace, await cluster.PodsRevisionAsync());
        var count = (int)(sizes.ArrivalRate * sizes.ArrivalDuration.TotalSeconds);
        var sent = new long[count];
        var answered = new long[count];
        var creates = new List<Task<string?>>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            // Open loop: each pod is created at its own time, whether or not earlier ones have been answered.
            var due = start + (long)(i / sizes.ArrivalRate * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            sent[i] = Stopwatch.GetTimestamp();
            creates.Add(CreateAsync(cluster.Clients[i % cluster.Clients.Length], $"/api/v1/namespaces/{ArrivalNamespace}/pods",
                SchedulerCluster.Pod($"a-{i:D6}", "100m", "128Mi"), answered, i));
        }
        var errors = (await Task.WhenAll(creates)).Where(e => e is not null).ToList();
        if (errors.Count > 0) report.Fail($"scheduler.arrival: {errors.Count} creates failed, first: {errors[0]}");
        var complete = await watch.WaitForBoundAsync(count - errors.Count, sizes.Stall, () => { cluster.EnsureRunning(); scheduler.EnsureRunning(); });
        if (watch.Resumes + watch.Relists > 0)
            report.Note($"scheduler.arrival: the bench's watch was ended by the server {watch.Resumes + watch.Relists} times and resumed ({watch.Relists} by a list)");
        if (!complete)
        {
            // Which side stalled: the scheduler (the server has as few bound) or this watch (the server has more).
            var stored = await BoundInNamespaceAsync(cluster, ArrivalNamespace);
            report.Fail($"scheduler.arrival: {watch.Bound.Count} of {count} pods seen bound by the watch, {stored} bound in the store");
            return;
        }
        var latencies = new Latencies(Enumerable.Range(0, count)
            .Where(i => watch.Bound.ContainsKey($"a-{i:D6}"))
            .Select(i => watch.Bound[$"a-{i:D6}"] - sent[i]));
        // Where the time went: the server accepting the create, the watch delivering it (what the scheduler's informer
        // waits for too), then scheduling, the binding write and the watch delivering the binding.
        var bound = Enumerable.Range(0, count).Where(i => watch.Bound.ContainsKey($"a-{i:D6}")).ToList();
        var accepted = new Latencies(bound.Select(i => answered[i] - sent[i]));
        var delivered = new Latencies(bound.Where(i => watch.Seen.ContainsKey($"a-{i:D6}")).Select(i => watch.Seen[$"a-{i:D6}"] - sent[i]));
        var placed = new Latencies(bound.Where(i => watch.Seen.ContainsKey($"a-{i:D6}")).Select(i => watch.Bound[$"a-{i:D6}"] - watch.Seen[$"a-{i:D6}"]));
        report.Note($"scheduler.arrival.breakdown: create sent -> answered {accepted.Summary}; create sent -> seen by a watch {delivered.Summary}; seen -> bound seen {placed.Summary}");
        // The server's own clock, without this watch's delay (whole seconds: both timestamps are RFC 3339 to the second).
        var serverSide = watch.ServerBindSeconds.Values.Order().ToList();
        if (serverSide.Count > 0)
            report.Note($"scheduler.arrival.server: creationTimestamp -> PodScheduled transition (1 s resolution) p50 {serverSide[serverSide.Count / 2]:F0} s, p99 {serverSide[(int)(serverSide.Count * 0.99)]:F0} s, max {serverSide[^1]:F0} s ({serverSide.Count} pods)");
        report.Figure("scheduler.arrival.latency",
            $"create sent -> bound seen: {latencies.Summary} ({count} pods at {sizes.ArrivalRate:F0}/s for {sizes.ArrivalDuration.TotalSeconds:F0} s onto {sizes.Nodes} nodes holding {sizes.Pods + sizes.RawBinds} pods)",
            latencies.Percentile(99) <= 1000, "p99 <= 1 s");
    }
}
