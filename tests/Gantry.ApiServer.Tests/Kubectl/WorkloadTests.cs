using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

/// <summary>The workload controllers inside <c>gantry server</c>, driven by the real kubectl (pods made ready by the test).</summary>
[Collection(ServerCollection.Name)]
public sealed class WorkloadTests(ServerFixture fixture) : IDisposable
{
    private readonly RawApi _api = new(fixture.Server);
    private Harness.Kubectl K => fixture.Kubectl;

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Deployment_RolloutStatusHistoryUndoAndScale()
    {
        var ns = await K.NewNamespaceAsync("rollout");
        using var ready = new CancellationTokenSource();
        var agent = PodReadiness.KeepReadyAsync(_api, ns, ready.Token);
        try
        {
            await K.ApplyAsync(ns, Manifests.Deployment("web", 3, "nginx:1"));
            Assert.Contains("successfully rolled out", (await K.RunAsync(["rollout", "status", "deploy/web", "-n", ns, "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok());
            Assert.Matches(@"web\s+3/3\s+3\s+3", (await K.RunAsync(["get", "deploy", "web", "-n", ns])).Ok());
            (await K.RunAsync(["set", "image", "deploy/web", "app=nginx:2", "-n", ns])).Ok();
            Assert.Contains("successfully rolled out", (await K.RunAsync(["rollout", "status", "deploy/web", "-n", ns, "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok());
            var history = (await K.RunAsync(["rollout", "history", "deploy/web", "-n", ns])).Ok();
            Assert.Matches(@"(?m)^1\s", history);
            Assert.Matches(@"(?m)^2\s", history);
            (await K.RunAsync(["rollout", "undo", "deploy/web", "-n", ns])).Ok();
            Assert.Contains("successfully rolled out", (await K.RunAsync(["rollout", "status", "deploy/web", "-n", ns, "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok());
            Assert.Equal("nginx:1", await K.JsonPathAsync(ns, "deploy/web", "{.spec.template.spec.containers[0].image}"));
            (await K.RunAsync(["scale", "deploy/web", "-n", ns, "--replicas=1"])).Ok();
            await EventuallyAsync(async () => (await K.JsonPathAsync(ns, "deploy/web", "{.status.replicas}")) == "1", "scale down to 1");
            var events = (await K.RunAsync(["get", "events", "-n", ns])).Ok();
            Assert.Contains("ScalingReplicaSet", events);
            Assert.Contains("SuccessfulCreate", events);
        }
        finally
        {
            await ready.CancelAsync();
            await agent;
        }
    }

    [Fact]
    public async Task DeleteNamespace_RemovesEverythingInIt()
    {
        var ns = await K.NewNamespaceAsync("gone");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 2));
        await K.ApplyAsync(ns, Manifests.ConfigMap("cfg"));
        await EventuallyAsync(async () => (await K.RunAsync(["get", "pods", "-n", ns, "-o", "name"])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 2, "pods created");
        Assert.Equal("default", (await K.JsonPathAsync(ns, "sa/default", "{.metadata.name}")));
        Assert.Contains("BEGIN CERTIFICATE", await K.JsonPathAsync(ns, "cm/kube-root-ca.crt", "{.data.ca\\.crt}"));
        Assert.Contains("deleted", (await K.RunAsync(["delete", "namespace", ns, "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok());
        Assert.Contains("NotFound", (await K.RunAsync(["get", "namespace", ns])).Stderr);
    }

    [Fact]
    public async Task DeleteDeployment_CascadesToReplicaSetsAndPods_OrOrphansThem()
    {
        var ns = await K.NewNamespaceAsync("cascade");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 2));
        await EventuallyAsync(async () => (await K.RunAsync(["get", "pods", "-n", ns, "-o", "name"])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 2, "pods created");
        (await K.RunAsync(["delete", "deploy/web", "-n", ns])).Ok();
        await EventuallyAsync(async () => (await K.RunAsync(["get", "rs,pods", "-n", ns, "-o", "name"])).Stdout.Trim().Length == 0, "cascade");
        await K.ApplyAsync(ns, Manifests.Deployment("kept", 1));
        await EventuallyAsync(async () => (await K.RunAsync(["get", "pods", "-n", ns, "-o", "name"])).Stdout.Trim().Length > 0, "pod created");
        (await K.RunAsync(["delete", "deploy/kept", "-n", ns, "--cascade=orphan"])).Ok();
        await Task.Delay(1000);
        Assert.Contains("replicaset.apps/kept-", (await K.RunAsync(["get", "rs", "-n", ns, "-o", "name"])).Ok());
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }
}
