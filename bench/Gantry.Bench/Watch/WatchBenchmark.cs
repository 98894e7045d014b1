using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Gantry.Bench.Measurement;
using Gantry.Bench.Server;

namespace Gantry.Bench.Watch;

/// <summary>
/// Watch fan-out: many concurrent watches (HTTP/2 streams) of one namespace's ConfigMaps while a writer creates
/// ConfigMaps at a fixed rate, each carrying its write time; every event's delivery latency is receive time minus
/// that write time, so it includes the durable commit, the watch cache and the fan-out.
/// </summary>
internal static class WatchBenchmark
{
    private const string Namespace = "bench";
    private const string Collection = "/api/v1/namespaces/" + Namespace + "/configmaps";
    private const string PrimerKey = "primer";
    private static readonly byte[] Primer = "\"primer\":\""u8.ToArray();
    private static readonly byte[] Marker = "\"ts\":\""u8.ToArray();
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(string gantry, BenchSettings settings, Report report)
    {
        await using var server = await ServerProcess.StartAsync(gantry);
        using var writer = ApiClient.Create(server);
        var watchClients = Enumerable.Range(0, settings.Connections).Select(_ => ApiClient.Create(server, Timeout.InfiniteTimeSpan)).ToArray();
        try
        {
            await ApiClient.CreateNamespaceAsync(writer, Namespace);
            var rv = await ResourceVersionAsync(writer);
            var state = new WatchState(settings.Watchers);
            using var stop = new CancellationTokenSource();
            var connecting = Stopwatch.StartNew();
            var watches = Enumerable.Range(0, settings.Watchers)
                .Select(i => Task.Run(() => WatchOneAsync(watchClients[i % watchClients.Length], $"{Collection}?watch=true&resourceVersion={rv}&fieldSelector=metadata.name%21%3Dkube-root-ca.crt", i, state, stop.Token)))
                .ToArray();
            // Each watch counts as started once a primer object's event reached it (the primer carries no write time and
            // is not measured): that proves every stream delivers and warms the fan-out path before the measurement.
            await Task.WhenAny(state.AllHeaders.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            var primer = await ApiClient.PostAsync(writer, Collection, Encoding.UTF8.GetBytes($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"primer"},"data":{"{{{PrimerKey}}}":"1"}}"""));
            if (primer is not null) throw new InvalidOperationException($"creating the primer: {primer}");
            var first = await Task.WhenAny(state.AllEstablished.Task, Task.WhenAll(watches), Task.Delay(TimeSpan.FromSeconds(60)));
            if (first != state.AllEstablished.Task)
            {
                await stop.CancelAsync();
                throw new InvalidOperationException($"only {state.Established} of {settings.Watchers} watches started: {state.FirstError}");
            }
            report.Note($"{settings.Watchers} watches established (headers and primer event received) in {connecting.Elapsed.TotalMilliseconds:F0} ms over {settings.Connections} client connection pools");

            var cpu = CpuMeter.Start(server.Process);
            var writes = await OpenLoop.RunAsync(settings.WatchWriteRate, settings.WatchDuration, i =>
                ApiClient.PostAsync(writer, Collection, ConfigMap($"cm-watch-{i}", Stopwatch.GetTimestamp())));
            server.EnsureRunning();
            report.CheckErrors("watch.writes", writes);
            var expected = writes.Succeeded * settings.Watchers;
            var draining = Stopwatch.StartNew();
            while (Interlocked.Read(ref state.Delivered) < expected && draining.Elapsed < DrainTimeout && state.FirstError is null)
            {
                await Task.Delay(50);
            }
            var cpuText = cpu.Describe(expected);
            await stop.CancelAsync();
            await Task.WhenAll(watches);

            var latencies = new Latencies(state.Samples.SelectMany(s => s));
            if (state.FirstError is not null) report.Fail($"watch: {state.FirstError}");
            if (latencies.Count < expected) report.Fail($"watch: {expected - latencies.Count} of {expected} events not delivered within {DrainTimeout.TotalSeconds} s after the last write");
            report.Figure("watch.delivery.latency",
                $"{latencies.Summary} ({settings.Watchers} watchers, {writes.Succeeded} writes at {settings.WatchWriteRate:F0}/s, {latencies.Count}/{expected} events delivered; write p50 {writes.Latencies.Percentile(50):F2} ms p99 {writes.Latencies.Percentile(99):F2} ms; {cpuText.Replace("us/op", "us/event")})",
                latencies.Percentile(99) <= 50, "p99 <= 50 ms");
        }
        finally
        {
            foreach (var client in watchClients) client.Dispose();
        }
    }

    private static async Task WatchOneAsync(HttpClient client, string path, int index, WatchState state, CancellationToken cancellationToken)
    {
        var samples = state.Samples[index];
        try
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"watch answered {(int)response.StatusCode}");
            if (Interlocked.Increment(ref state.Headers) == state.Samples.Length) state.AllHeaders.TrySetResult();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var reader = PipeReader.Create(stream);
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var received = Stopwatch.GetTimestamp();
                    var line = buffer.Slice(0, end);
                    if (WriteTime(line.IsSingleSegment ? line.FirstSpan : (ReadOnlySpan<byte>)line.ToArray()) is { } written)
                    {
                        samples.Add(received - written);
                        Interlocked.Increment(ref state.Delivered);
                    }
                    else if (Interlocked.Increment(ref state.Established) == state.Samples.Length)
                    {
                        state.AllEstablished.TrySetResult();
                    }
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) throw new InvalidOperationException("the server ended a watch early");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref state.FirstError, $"{ex.GetType().Name}: {ex.Message}", null);
        }
    }

    /// <summary>The write time an event carries; null for the primer.</summary>
    private static long? WriteTime(ReadOnlySpan<byte> line)
    {
        if (line.IndexOf(Primer) >= 0) return null;
        var at = line.IndexOf(Marker);
        if (at < 0 || !Utf8Parser.TryParse(line[(at + Marker.Length)..], out long ticks, out _))
        {
            throw new InvalidOperationException($"event without a write time: {Encoding.UTF8.GetString(line[..Math.Min(line.Length, 300)])}");
        }
        return ticks;
    }

    private static async Task<string> ResourceVersionAsync(HttpClient client)
    {
        // resourceVersion=0 (any cached state): a consistent list (no resourceVersion) of a resource whose newest write is
        // older than the store's newest revision waits for the cache to reach that revision and fails after 3 s (500).
        using var response = await client.GetAsync(Collection + "?resourceVersion=0");
        response.EnsureSuccessStatusCode();
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        return json.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()
            ?? throw new InvalidOperationException("list without resourceVersion");
    }

    private static byte[] ConfigMap(string name, long writeTicks) =>
        Encoding.UTF8.GetBytes($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"ts":"{{{writeTicks}}}"}}""");

    /// <summary>Shared by all watchers: per-watcher samples (each list written by its own watcher only) and counters.</summary>
    private sealed class WatchState(int watchers)
    {
        public readonly List<long>[] Samples = Enumerable.Range(0, watchers).Select(_ => new List<long>(4096)).ToArray();
        public readonly TaskCompletionSource AllHeaders = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource AllEstablished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Headers;
        public int Established;
        public long Delivered;
        public string? FirstError;
    }
}
