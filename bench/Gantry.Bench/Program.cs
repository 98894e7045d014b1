using Gantry.Bench;
using Gantry.Bench.Api;
using Gantry.Bench.Controllers;
using Gantry.Bench.Dns;
using Gantry.Bench.Measurement;
using Gantry.Bench.Memory;
using Gantry.Bench.Node;
using Gantry.Bench.Proxy;
using Gantry.Bench.Scheduler;
using Gantry.Bench.Server;
using Gantry.Bench.Services;
using Gantry.Bench.Store;
using Gantry.Bench.Watch;
using Gantry.Testing.Processes;

// Usage: Gantry.Bench <store|api|watch|memory|controllers|scheduler|bind|dns|proxy|node|services|all> [--smoke]
// Prints one line per figure ("name: value ... [target ...: met|MISSED]"); exits 1 when a run broke (errors, lost
// events), never because a target was missed: targets are for RESULTS.md, not for CI.
var suites = new[] { "store", "api", "watch", "memory", "controllers", "scheduler", "bind", "dns", "proxy", "node", "services", "all" };
var smoke = args.Contains("--smoke");
var rest = args.Where(a => a != "--smoke").ToArray();
if (rest.Length != 1 || !suites.Contains(rest[0]))
{
    Console.Error.WriteLine($"usage: Gantry.Bench <{string.Join('|', suites)}> [--smoke]");
    return 2;
}
var suite = rest[0];
var settings = smoke ? BenchSettings.SmokeSizes : BenchSettings.Full;
var report = new Report(Console.Out);
report.Note($"gantry bench {suite}{(smoke ? " --smoke" : "")} at {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
try
{
    if (suite == "dns")
    {
        // In process (API server, informers, DNS server and client): no gantry build needed.
        await DnsBenchmark.RunAsync(settings, report);
    }
    else if (suite == "store")
    {
        var dir = Directory.CreateTempSubdirectory("gantry-bench-store-").FullName;
        try { await RawStoreBenchmark.RunAsync(dir, settings.StoreWrites, settings.StoreConcurrency, Console.Out); }
        finally { Directory.Delete(dir, recursive: true); }
    }
    else
    {
        // The shipped binary, published first when the sources are newer (worth a line: it took CPU before the suites).
        var gantry = GantryBuild.Program;
        if (GantryBuild.Published) report.Note($"published {Path.GetRelativePath(Paths.RepoRoot, gantry)} (scripts/build-gantry)");
        // The api suite measures the raw store itself, right before the API creates, so "all" needs no store suite.
        if (suite is "api" or "all") await RetryAsync("api", () => ApiBenchmark.RunAsync(gantry, settings, report));
        if (suite is "watch" or "all") await RetryAsync("watch", () => WatchBenchmark.RunAsync(gantry, settings, report));
        if (suite is "memory" or "all") await RetryAsync("memory", () => MemoryBenchmark.RunAsync(gantry, settings, report));
        if (suite is "controllers" or "all") await RetryAsync("controllers", () => ControllersBenchmark.RunAsync(gantry, settings, report));
        if (suite is "scheduler" or "all") await RetryAsync("scheduler", () => SchedulerBenchmark.RunAsync(gantry, settings, report));
        // The raw binding rate of the scheduler suite alone (not part of "all": the scheduler suite measures it).
        if (suite == "bind") await RetryAsync("bind", () => SchedulerBenchmark.RunRawBindAsync(gantry, settings, report));
        if (suite == "all") await DnsBenchmark.RunAsync(settings, report);
        if (suite is "proxy" or "all") await RetryAsync("proxy", () => ProxyBenchmark.RunAsync(gantry, settings, report));
        // Real containers on this machine (root, runc, conmon, CNI plugins): its own servers, each with a node agent.
        if (suite is "node" or "all") await RetryAsync("node", () => NodeBenchmark.RunAsync(gantry, settings, report));
        if (suite is "services" or "all") await RetryAsync("services", () => ServicesBenchmark.RunAsync(gantry, settings, report));
    }
}
catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException)
{
    report.Fail($"{suite}: {ex.Message}");
}
report.Note($"done at {DateTime.UtcNow:HH:mm:ss} UTC, load average {LoadAverage()}");
if (report.Failures.Count > 0)
{
    Console.Error.WriteLine($"bench: {report.Failures.Count} failure(s)");
    return 1;
}
return 0;

// On a shared machine another process may signal the server mid-suite: run that suite once more, and fail if it happens again.
async Task RetryAsync(string name, Func<Task> run)
{
    try
    {
        await run();
    }
    catch (ServerGoneException ex)
    {
        report.Note($"{name}: {ex.Message}; running the suite again (figures above from this suite are void)");
        await run();
    }
}

// Other work on these shared cores skews every figure: the load average says how much.
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
