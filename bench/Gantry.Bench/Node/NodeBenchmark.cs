using System.Diagnostics;
using Gantry.Bench.Measurement;
using Gantry.Bench.Server;
using Gantry.Node;
using Gantry.Testing.Images;

namespace Gantry.Bench.Node;

/// <summary>
/// The node agent with real containers: pod start latency (serial and a burst) against raw <c>runc run -d</c> (and
/// + CNI ADD) of the same image in the same run, agent RSS with many pods, and all-in-one idle RSS. Needs root, runc,
/// conmon, the CNI plugins and busybox-static; removes every container, netns, mount, cgroup and bridge it made.
/// </summary>
internal static class NodeBenchmark
{
    private const double Megabyte = 1024 * 1024;
    private static readonly TimeSpan PodTimeout = TimeSpan.FromMinutes(5);

    public static async Task RunAsync(string gantry, BenchSettings settings, Report report)
    {
        Host.CheckPrerequisites();
        var sizes = settings.Smoke ? NodeSizes.Smoke : NodeSizes.Full;
        var dir = Directory.CreateTempSubdirectory("gantry-bench-node-").FullName;
        try
        {
            var archive = Path.Combine(dir, "busybox.tar");
            BusyboxImage.WriteOciArchive(archive);
            var node = new NodePaths(Path.Combine(dir, "server"), "bn" + Guid.NewGuid().ToString("N")[..6]);
            await ImportAsync(gantry, node, archive);
            var (rawSerial, rawBurst) = await RawFloorAsync(Path.Combine(dir, "raw"), node.ImageStoreDir, sizes, report);
            await AllInOneAsync(gantry, node, sizes, rawSerial, rawBurst, report);
            var agentNode = new NodePaths(Path.Combine(dir, "agent"), "bn" + Guid.NewGuid().ToString("N")[..6]);
            await ImportAsync(gantry, agentNode, archive);
            await DensityAsync(gantry, Path.Combine(dir, "control"), agentNode, sizes, report);
        }
        finally
        {
            await NodeLeftovers.UnmountUnderAsync(dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(Latencies Serial, RawBurst Burst)> RawFloorAsync(string dir, string imageStore, NodeSizes sizes, Report report)
    {
        await using var raw = await RawRunc.CreateAsync(dir, imageStore, BusyboxImage.DefaultName);
        var serial = new List<long>();
        for (var i = 0; i < sizes.Serial; i++) serial.Add(await raw.RunAsync());
        var serialLatencies = new Latencies(serial);
        report.Figure("node.raw.runc", $"{serialLatencies.Summary} for {sizes.Serial} serial `runc run -d` (overlay of the store's layers mounted beforehand)");
        // A /24 of its own for the throwaway bridge; 10.250.x is far from the agents' pod ranges.
        await raw.InitializeNetworkAsync($"10.250.{Random.Shared.Next(1, 255)}.0/24");
        var clock = Stopwatch.StartNew();
        var burst = new List<long>();
        for (var i = 0; i < sizes.Burst; i++) burst.Add(await raw.RunWithNetworkAsync());
        var burstMs = clock.Elapsed.TotalMilliseconds;
        report.Figure("node.raw.runc+cni", $"{burstMs:F0} ms for {sizes.Burst} serial `ip netns add` + CNI ADD + `runc run -d` ({new Latencies(burst).Summary} each)");
        return (serialLatencies, new RawBurst(burstMs, new Latencies(burst)));
    }

    private static async Task AllInOneAsync(string gantry, NodePaths node, NodeSizes sizes, Latencies rawSerial, RawBurst rawBurst, Report report)
    {
        ServerProcess? server = null;
        try
        {
            server = await ServerProcess.StartWithAgentAsync(gantry, node.DataDir, node.NodeName, "--max-pods", sizes.Density.ToString());
            using var client = ApiClient.Create(server);
            await BenchPods.WaitForNodeReadyAsync(client, node.NodeName, TimeSpan.FromMinutes(2));
            await sizes.SettleIdleAsync(server.Process);
            var idle = server.Memory();
            report.Figure("node.allinone.idle.rss", $"{idle.Rss / Megabyte:F1} MB (peak {idle.Peak / Megabyte:F1} MB; gantry server + agent, node Ready, no pods, {sizes.Settle.TotalSeconds:F0} s settled, {sizes.IdleAge.TotalSeconds:F0} s at least after start)",
                idle.Rss <= 100 * Megabyte, "<= 100 MB");

            await BenchPods.PrepareNamespaceAsync(client);
            using var watchClient = ApiClient.Create(server, Timeout.InfiniteTimeSpan);
            await using var watch = await PodWatch.OpenAsync(watchClient, BenchPods.Namespace);
            var serial = new List<long>();
            var cpu = new List<double>();
            for (var i = 0; i < sizes.Serial; i++)
            {
                var name = $"serial-{i}";
                var cpuBefore = server.CpuTime();
                var start = Stopwatch.GetTimestamp();
                await BenchPods.CreateAsync(client, name);
                serial.Add(await watch.RunningAsync(name, PodTimeout) - start);
                cpu.Add((server.CpuTime() - cpuBefore).TotalMilliseconds);
            }
            server.EnsureRunning();
            var latencies = new Latencies(serial);
            report.Figure("node.podstart.serial.p50", $"{latencies.Percentile(50):F0} ms over {sizes.Serial} pods one at a time (created -> Running via watch; raw runc p50 {rawSerial.Percentile(50):F0} ms, {latencies.Percentile(50) / rawSerial.Percentile(50):F1}x; raw netns + CNI ADD + runc p50 {rawBurst.Each.Percentile(50):F0} ms, {latencies.Percentile(50) / rawBurst.Each.Percentile(50):F1}x)",
                latencies.Percentile(50) <= 4 * rawSerial.Percentile(50), "<= 4x raw runc p50");
            report.Figure("node.podstart.serial.p99", $"{latencies.Percentile(99):F0} ms (max {latencies.Max:F0} ms; raw runc p99 {rawSerial.Percentile(99):F0} ms, {latencies.Percentile(99) / rawSerial.Percentile(99):F1}x; raw netns + CNI ADD + runc p99 {rawBurst.Each.Percentile(99):F0} ms)",
                latencies.Percentile(99) <= 6 * rawSerial.Percentile(99), "<= 6x raw runc p99");
            // With 50 pods the p99 is the slowest one: which pod it was tells a cold first start from a random stall.
            var slowest = serial.IndexOf(serial.Max());
            report.Note($"node.podstart.serial.slowest: serial-{slowest} ({Latencies.Milliseconds(serial[slowest]):F0} ms; the first pod took {Latencies.Milliseconds(serial[0]):F0} ms, the second {Latencies.Milliseconds(serial[Math.Min(1, serial.Count - 1)]):F0} ms)");
            // CPU the server process (API, controllers, scheduler, agent) spent per pod: the first pod's cold cost (JIT) in a
            // figure the other work on these shared cores skews far less than wall time.
            report.Note($"node.podstart.serial.cpu: gantry server {cpu[0]:F0} ms CPU for serial-0, {cpu[Math.Min(1, cpu.Count - 1)]:F0} ms for serial-1, median {cpu.Order().ElementAt(cpu.Count / 2):F0} ms per pod");
            await BenchPods.DeleteAllAsync(client, PodTimeout);

            var names = Enumerable.Range(0, sizes.Burst).Select(i => $"burst-{i}").ToList();
            var burstStart = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, _) => await BenchPods.CreateAsync(client, name));
            var running = await Task.WhenAll(names.Select(n => watch.RunningAsync(n, PodTimeout)));
            var burstMs = Latencies.Milliseconds(running.Max() - burstStart);
            var each = new Latencies(running.Select(r => r - burstStart));
            server.EnsureRunning();
            report.Figure("node.podstart.burst", $"{burstMs:F0} ms until all {sizes.Burst} pods Running (created 16 at a time; Running at p50 {each.Percentile(50):F0} ms, p99 {each.Percentile(99):F0} ms after the first POST; raw runc+cni {rawBurst.TotalMs:F0} ms, {burstMs / rawBurst.TotalMs:F1}x)",
                burstMs <= 2 * rawBurst.TotalMs, "<= 2x raw serial runc + CNI ADD");
            await BenchPods.DeleteAllAsync(client, PodTimeout);
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            await NodeLeftovers.RemoveAsync(node);
        }
    }

    private static async Task DensityAsync(string gantry, string controlDir, NodePaths node, NodeSizes sizes, Report report)
    {
        ServerProcess? server = null;
        GantryProcess? agent = null;
        try
        {
            server = await ServerProcess.StartAsync(gantry, controlDir);
            // The same-run reference of the all-in-one idle figure: the server without its agent.
            await sizes.SettleIdleAsync(server.Process);
            var serverIdle = server.Memory();
            report.Figure("node.server.idle.rss", $"{serverIdle.Rss / Megabyte:F1} MB (`gantry server --disable-agent`, no nodes, {sizes.Settle.TotalSeconds:F0} s settled, {sizes.IdleAge.TotalSeconds:F0} s at least after start; reference for node.allinone.idle.rss)");
            agent = await GantryProcess.StartAsync(gantry, "pod networking initialized", TimeSpan.FromMinutes(2),
                "agent", "--server", server.Url.ToString(), "--token", server.Token, "--ca-file", Path.Combine(controlDir, "tls", "ca.crt"),
                "--data-dir", node.DataDir, "--node-name", node.NodeName, "--node-ip", "127.0.0.1", "--kubelet-port", "0", "--max-pods", sizes.Density.ToString());
            using var client = ApiClient.Create(server);
            await BenchPods.WaitForNodeReadyAsync(client, node.NodeName, TimeSpan.FromMinutes(2));
            await Task.Delay(sizes.Settle);
            var idle = ServerProcess.Memory(agent.Process.Id);
            await BenchPods.PrepareNamespaceAsync(client);
            using var watchClient = ApiClient.Create(server, Timeout.InfiniteTimeSpan);
            await using var watch = await PodWatch.OpenAsync(watchClient, BenchPods.Namespace);
            var names = Enumerable.Range(0, sizes.Density).Select(i => $"density-{i}").ToList();
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, _) => await BenchPods.CreateAsync(client, name));
            await Task.WhenAll(names.Select(n => watch.RunningAsync(n, TimeSpan.FromMinutes(15))));
            var allRunning = clock.Elapsed;
            await Task.Delay(sizes.Settle);
            agent.EnsureRunning();
            server.EnsureRunning();
            var full = ServerProcess.Memory(agent.Process.Id);
            var target = 50 + sizes.Density;
            report.Figure("node.density.agent.rss", $"{full.Rss / Megabyte:F1} MB with {sizes.Density} pods Running (peak {full.Peak / Megabyte:F1} MB; idle {idle.Rss / Megabyte:F1} MB; all Running after {allRunning.TotalSeconds:F0} s; `gantry agent` process next to `gantry server --disable-agent`, server {server.Memory().Rss / Megabyte:F1} MB)",
                full.Rss <= target * Megabyte, $"<= {target} MB (50 MB + 1 MB per pod)");
        }
        finally
        {
            if (agent is not null) await agent.DisposeAsync();
            if (server is not null) await server.DisposeAsync();
            await NodeLeftovers.RemoveAsync(node);
        }
    }

    /// <summary>The raw burst floor: its total time and each container's netns + CNI ADD + runc run -d.</summary>
    private sealed record RawBurst(double TotalMs, Latencies Each);

    private static Task ImportAsync(string gantry, NodePaths node, string archive) =>
        Host.CheckedAsync(gantry, ["image", "import", "--data-dir", node.DataDir, "--node-name", node.NodeName, archive]);
}
