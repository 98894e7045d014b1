using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Gantry.Testing.Processes;
using static Gantry.E2E.Tests.MultiNode.Pods;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>
/// Services across three machines (issue 7's acceptance, the part needing no kubectl exec): every node's proxy follows
/// the frontend scaling 3 -> 10 -> 2 within a second, and the NodePort keeps answering while a killed machine's pods
/// move to the others.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class MultiNodeServiceTests(NetnsCluster cluster)
{
    private Kubectl K => cluster.Kubectl;

    [Fact]
    public async Task ScalingTheFrontend_3To10To2_UpdatesTheProxiesOnAllNodesWithinOneSecond()
    {
        var app = await TwoTierApp.DeployAsync(K, frontends: 3);
        foreach (var replicas in new[] { 10, 2 })
        {
            var observed = new ConcurrentDictionary<string, (HashSet<string> Endpoints, DateTime At)>();
            using var stop = new CancellationTokenSource();
            var watchers = cluster.Machines.Select(m => WatchProxyAsync(m, app.Namespace, observed, stop.Token)).ToList();
            (await K.RunAsync(["scale", "-n", app.Namespace, "deployment/frontend", $"--replicas={replicas}"])).Ok();
            await app.RolloutAsync("frontend");
            var (wanted, settledAt) = await SettledEndpointsAsync(app.Namespace, "frontend", replicas);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await stop.CancelAsync();
            await Task.WhenAll(watchers);
            foreach (var machine in cluster.Machines)
            {
                Assert.True(observed.TryGetValue(machine.NodeName, out var last) && last.Endpoints.SetEquals(wanted),
                    $"{machine}'s proxy has {string.Join(",", last.Endpoints ?? [])} for {replicas} replicas, want {string.Join(",", wanted)}");
                var lag = last.At - settledAt;
                Assert.True(lag <= TimeSpan.FromSeconds(1), $"{machine}'s proxy followed the EndpointSlice after {lag.TotalMilliseconds:F0} ms");
            }
        }
        await app.DeleteAsync();
    }

    [Fact]
    public async Task KillingAMachine_MovesItsPodsToTheOthers_AndTheServiceKeepsAnswering()
    {
        var app = await TwoTierApp.DeployAsync(K, frontends: 3);
        var nodePort = await app.NodePortAsync();
        var victim = cluster.Machine(3);
        var survivors = cluster.Machines.Where(m => m != victim).ToList();
        // Every node's proxy has the three frontends before the machine dies.
        await K.WaitForEndpointsAsync(app.Namespace, "frontend", 3);
        foreach (var from in cluster.Machines)
            await Gantry.Testing.Eventually.HoldsAsync(async () => (await ProxyRules.EndpointsAsync(from, app.Namespace, "frontend"))?.Count == 3,
                $"{from}'s proxy to have the three frontends", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        try
        {
            var clock = Stopwatch.StartNew();
            await cluster.KillMachineAsync(victim.Index);
            // Until the dead node's endpoint is dropped, a third of the requests go to its pod and get no answer; the
            // service has gone dark only if many in a row fail ((1/3)^8 by chance). Survivors take turns asking their own NodePort.
            const int DarkRun = 8;
            var failedInARow = 0;
            var worstRun = 0;
            var timeline = new List<string>();
            for (var request = 0; ; request++)
            {
                var from = survivors[request % survivors.Count];
                var answer = await from.HttpGetAsync($"http://{from.Address}:{nodePort}/", TimeSpan.FromSeconds(0.5));
                timeline.Add($"{clock.Elapsed.TotalSeconds:F1}s {from.NodeName}: {(answer.ExitCode == 0 ? answer.Stdout.Trim() : "no answer")}");
                failedInARow = answer.ExitCode == 0 ? 0 : failedInARow + 1;
                worstRun = Math.Max(worstRun, failedInARow);
                if (request % 4 != 3) continue;
                var serving = await app.ServingPodsAsync("frontend");
                if (serving.Count == 3 && serving.All(p => NodeName(p) != victim.NodeName)) break;
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"frontends not back on the survivors in 40 s: {Describe(await app.PodsAsync("frontend"))}");
            }
            Assert.True(worstRun < DarkRun, $"{worstRun} requests in a row got no answer after the machine died:\n{string.Join("\n", timeline)}");
            var names = (await app.ServingPodsAsync("frontend")).Select(Name).ToHashSet();
            await K.WaitForEndpointsAsync(app.Namespace, "frontend", 3);
            foreach (var from in survivors)
            {
                foreach (var address in survivors.Select(m => m.Address).Append("127.0.0.1"))
                {
                    await ServiceChecks.WaitForAnswersAsync(from, $"http://{address}:{nodePort}/", 10, answers => answers.All(names.Contains),
                        $"10 answers in a row from the frontends {string.Join(", ", names.Order())}");
                }
            }
        }
        finally
        {
            await cluster.RestoreMachineAsync(victim.Index);
        }
        await app.DeleteAsync();
    }

    /// <summary>
    /// Polls the EndpointSlices until they hold <paramref name="count"/> ready endpoints and returns them with the time they
    /// were first seen so (the poll's own latency makes the time late, in the proxies' favour by at most one poll).
    /// </summary>
    private async Task<(HashSet<string> Endpoints, DateTime At)> SettledEndpointsAsync(string ns, string service, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HashSet<string> last = [];
        var since = DateTime.UtcNow;
        while (true)
        {
            var before = DateTime.UtcNow;
            var now = await K.ReadyEndpointsAsync(ns, service);
            if (!now.SetEquals(last)) (last, since) = (now, before);
            if (last.Count == count) return (last, since);
            Assert.True(DateTime.UtcNow < deadline, $"{ns}/{service} has {last.Count} ready endpoints, want {count}");
            await Task.Delay(100);
        }
    }

    /// <summary>Records, per machine, the endpoints its proxy balances the frontend over and since when.</summary>
    private static async Task WatchProxyAsync(Machine machine, string ns, ConcurrentDictionary<string, (HashSet<string> Endpoints, DateTime At)> observed, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var before = DateTime.UtcNow;
            if (await ProxyRules.EndpointsAsync(machine, ns, "frontend") is { } endpoints)
            {
                observed.AddOrUpdate(machine.NodeName, (endpoints, before), (_, old) => old.Endpoints.SetEquals(endpoints) ? old : (endpoints, before));
            }
            try { await Task.Delay(50, stop); }
            catch (OperationCanceledException) { }
        }
    }
}

