using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

[Collection(ServerCollection.Name)]
public sealed class DrainTests(ServerFixture fixture)
{
    private Gantry.Testing.Processes.Kubectl K => fixture.Kubectl;

    private static string Node(string name) => $"apiVersion: v1\nkind: Node\nmetadata:\n  name: {name}\n";

    private static string Pod(string name, string node, string labels = "app: drain") =>
        $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels: {{{labels}}}\nspec:\n  nodeName: {node}\n  containers:\n  - name: c\n    image: busybox\n";

    [Fact]
    public async Task Drain_CordonsAndEvictsThroughTheEvictionSubresource()
    {
        var ns = await K.NewNamespaceAsync("drain");
        var node = $"node-{ns}";
        (await K.RunAsync(["apply", "-f", "-"], Node(node))).Ok();
        await K.ApplyAsync(ns, Pod("p1", node));
        var result = await K.RunAsync(["drain", node, "--force", "--grace-period=0", "--timeout=20s"]);
        Assert.Contains("pod/p1 evicted", result.Ok());
        Assert.Contains("drained", result.Stdout);
        Assert.Equal("true", (await K.RunAsync(["get", "node", node, "-o", "jsonpath={.spec.unschedulable}"])).Ok());
        Assert.Contains("NotFound", (await K.RunAsync(["get", "pod", "p1", "-n", ns])).Stderr);
        (await K.RunAsync(["uncordon", node])).Ok();
        Assert.Equal("", (await K.RunAsync(["get", "node", node, "-o", "jsonpath={.spec.unschedulable}"])).Ok());
    }

    [Fact]
    public async Task Drain_IsRefusedWhileADisruptionBudgetAllowsNoDisruption()
    {
        var ns = await K.NewNamespaceAsync("pdb");
        var node = $"node-{ns}";
        (await K.RunAsync(["apply", "-f", "-"], Node(node))).Ok();
        await K.ApplyAsync(ns, Pod("guarded", node, "app: guarded"));
        (await K.RunAsync(["create", "pdb", "guard", "-n", ns, "--selector=app=guarded", "--min-available=1"])).Ok();
        var result = await K.RunAsync(["drain", node, "--force", "--grace-period=0", "--timeout=4s"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget", result.Stderr + result.Stdout);
        Assert.Equal("guarded", (await K.RunAsync(["get", "pod", "guarded", "-n", ns, "-o", "jsonpath={.metadata.name}"])).Ok());
    }
}
