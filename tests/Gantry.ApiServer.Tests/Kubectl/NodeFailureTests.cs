using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

/// <summary>
/// A machine dies: with hollow nodes (one `gantry simulate nodes` process per node) and a compressed node grace
/// period, the dead node is tainted and its Deployment pods come back on the other nodes — watched with kubectl.
/// </summary>
public sealed class NodeFailureTests
{
    [Fact]
    public async Task NodeWhoseHeartbeatsStop_IsTainted_AndItsPodsAreRecreatedElsewhere()
    {
        await using var server = await GantryServer.StartAsync(null, null, "--node-monitor-grace-period", "3s");
        var k = new Gantry.Testing.Processes.Kubectl(server);
        await using var a = HollowNodesProcess.Start(server, "alpha-", 1);
        await using var b = HollowNodesProcess.Start(server, "bravo-", 1);
        await using var c = HollowNodesProcess.Start(server, "charlie-", 1);
        await EventuallyAsync(async () => (await k.RunAsync(["get", "nodes", "-o", "name"])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3, "3 nodes");
        (await k.RunAsync(["wait", "--for=condition=Ready", "node", "--all", "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok();
        const string deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m}}}]
                  tolerations:
                  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
                  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
                  topologySpreadConstraints: []
            """;
        (await k.RunAsync(["apply", "-f", "-"], deployment)).Ok();
        (await k.RunAsync(["rollout", "status", "deploy/web", "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok();
        var victim = (await k.RunAsync(["get", "pods", "-o", "jsonpath={.items[0].spec.nodeName}"])).Ok();
        Assert.NotEqual("", victim);
        var process = victim.StartsWith("alpha-", StringComparison.Ordinal) ? a : victim.StartsWith("bravo-", StringComparison.Ordinal) ? b : c;
        await process.KillAsync();

        await EventuallyAsync(async () => (await k.RunAsync(["get", "node", victim, "-o", "jsonpath={.spec.taints[*].key}"])).Stdout.Contains("node.kubernetes.io/unreachable"), "unreachable taint");
        await EventuallyAsync(async () =>
        {
            var rows = (await k.RunAsync(["get", "pods", "-o", "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp}{\"\\n\"}{end}"])).Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(' ')).ToList();
            var live = rows.Where(r => r.Length < 3 || r[2].Length == 0).ToList();
            return live.Count(r => r[1] == "Running" && r[0] != victim) == 3 && live.All(r => r[0] != victim);
        }, "3 running pods on the healthy nodes");
        // The Deployment's status follows its ReplicaSet's a moment after the pods run.
        await EventuallyAsync(async () => (await k.RunAsync(["get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}"])).Ok() == "3", "readyReplicas 3");
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(250);
        }
    }
}
