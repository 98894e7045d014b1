using System.Diagnostics;
using System.Text.Json.Nodes;
using Gantry.Testing.Processes;
using static Gantry.E2E.Tests.MultiNode.Pods;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>
/// Three machines as network namespaces: nodes register with their own addresses, workloads spread over them,
/// logs and exec reach remote nodes, and a killed machine's pods come back on the others.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class MultiNodeClusterTests(NetnsCluster cluster)
{
    private Kubectl K => cluster.Kubectl;

    [Fact]
    public async Task ThreeNodes_RegisterReady_WithTheirMachineAddressAsInternalIp()
    {
        var nodes = JsonNode.Parse((await K.RunAsync(["get", "nodes", "-o", "json"])).Ok())!["items"]!.AsArray();
        foreach (var machine in cluster.Machines)
        {
            var node = nodes.SingleOrDefault(n => (string?)n!["metadata"]!["name"] == machine.NodeName);
            Assert.True(node is not null, $"node {machine.NodeName} is not registered");
            Assert.Equal("True", Condition(node!, "Ready"));
            var internalIps = node!["status"]!["addresses"]!.AsArray().Where(a => (string?)a!["type"] == "InternalIP").Select(a => (string?)a!["address"]).ToList();
            Assert.Equal([machine.Address], internalIps);
        }
    }

    [Fact]
    public async Task DeploymentOfSix_SpreadsOverTheThreeNodes_AndRuns()
    {
        var ns = await K.NewNamespaceAsync("spread");
        await K.ApplyAsync(ns, Manifests.Sleepers("spread", 6));
        (await K.RunAsync(["rollout", "status", "-n", ns, "deployment/spread", "--timeout=150s"], timeout: TimeSpan.FromMinutes(3))).Ok();
        var pods = await PodsAsync(ns, "app=spread");
        if (pods.Count != 6 || !pods.All(IsRunningAndReady))
        {
            var nodes = (await K.RunAsync(["get", "nodes", "-o", "wide"])).Stdout;
            var deployment = (await K.RunAsync(["get", "deployment", "-n", ns, "spread", "-o", "jsonpath={.status}"])).Stdout;
            var notReady = string.Join("\n", pods.Where(p => !IsRunningAndReady(p)).Select(p => p["status"]!.ToJsonString()));
            Assert.Fail($"want 6 running pods: {Describe(pods)}\n{nodes}\n{deployment}\n{notReady}");
        }
        var perNode = pods.GroupBy(p => NodeName(p)).ToDictionary(g => g.Key ?? "", g => g.Count());
        foreach (var machine in cluster.Machines)
            Assert.True(perNode.GetValueOrDefault(machine.NodeName) > 0, $"no pod on {machine.NodeName}: {string.Join(", ", perNode)}");
        await DeleteNamespaceAsync(ns);
    }

    [Fact]
    public async Task KillingAMachine_RecreatesItsPodsOnTheOtherNodes()
    {
        var ns = await K.NewNamespaceAsync("failover");
        try
        {
            await K.ApplyAsync(ns, Manifests.Sleepers("failover", 6));
            (await K.RunAsync(["rollout", "status", "-n", ns, "deployment/failover", "--timeout=150s"], timeout: TimeSpan.FromMinutes(3))).Ok();
            var victim = cluster.Machine(3);
            var lost = (await PodsAsync(ns, "app=failover")).Where(p => NodeName(p) == victim.NodeName).Select(Name).ToList();
            Assert.NotEmpty(lost);

            var clock = Stopwatch.StartNew();
            await cluster.KillMachineAsync(3);
            List<JsonNode> pods = [];
            while (true)
            {
                pods = await PodsAsync(ns, "app=failover");
                var serving = pods.Where(p => !IsTerminating(p) && IsRunningAndReady(p)).ToList();
                if (serving.Count == 6 && serving.All(p => NodeName(p) != victim.NodeName)) break;
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40),
                    $"6 ready pods off {victim.NodeName} not back in 40 s: {Describe(pods)}");
                await Task.Delay(500);
            }
            var node = JsonNode.Parse((await K.RunAsync(["get", "node", victim.NodeName, "-o", "json"])).Ok())!;
            Assert.NotEqual("True", Condition(node, "Ready"));
            Assert.DoesNotContain(pods, p => lost.Contains(Name(p)) && !IsTerminating(p));
        }
        finally
        {
            await cluster.RestoreMachineAsync(3);
        }
        await DeleteNamespaceAsync(ns);
    }

    private async Task<List<JsonNode>> PodsAsync(string ns, string selector) =>
        JsonNode.Parse((await K.RunAsync(["get", "pods", "-n", ns, "-l", selector, "-o", "json"])).Ok())!["items"]!.AsArray().Select(p => p!).ToList();

    private async Task DeleteNamespaceAsync(string ns) => (await K.RunAsync(["delete", "namespace", ns, "--wait=false"])).Ok();
}
