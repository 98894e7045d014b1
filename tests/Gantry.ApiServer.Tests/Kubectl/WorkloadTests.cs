using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

/// <summary>The workload controllers inside <c>gantry server</c>, driven by the real kubectl (pods made ready by the test).</summary>
[Collection(ServerCollection.Name)]
public sealed class WorkloadTests(ServerFixture fixture) : IDisposable
{
    private readonly RawApi _api = new(fixture.Server);
    private Gantry.Testing.Processes.Kubectl K => fixture.Kubectl;

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
            (await K.RunAsync(["scale", "deploy/web", "-n", ns, "--replicas=7"])).Ok();
            await EventuallyAsync(async () => (await PodNamesAsync(ns)).Count == 7, "7 pods");
            Assert.Contains("successfully rolled out", (await K.RunAsync(["rollout", "status", "deploy/web", "-n", ns, "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok());
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

    [Fact]
    public async Task ReplicationController_KeepsItsCountWhenPodsAreDeletedByHand()
    {
        var ns = await K.NewNamespaceAsync("rc");
        await K.ApplyAsync(ns, """
            apiVersion: v1
            kind: ReplicationController
            metadata: {name: rc}
            spec:
              replicas: 3
              selector: {app: rc}
              template:
                metadata: {labels: {app: rc}}
                spec: {containers: [{name: c, image: busybox}]}
            """);
        await EventuallyAsync(async () => (await PodNamesAsync(ns)).Count == 3, "3 pods");
        var first = await PodNamesAsync(ns);
        (await K.RunAsync(["delete", "pod", first[0], first[1], "-n", ns, "--grace-period=0", "--force"])).Ok();
        await EventuallyAsync(async () => (await PodNamesAsync(ns)) is { Count: 3 } now && !now.Contains(first[0]) && !now.Contains(first[1]), "2 replacements");
    }

    [Fact]
    public async Task Job_ReachesCompleteWhenItsPodsSucceed()
    {
        var ns = await K.NewNamespaceAsync("job");
        (await K.RunAsync(["create", "job", "once", "-n", ns, "--image=busybox", "--", "true"])).Ok();
        await EventuallyAsync(async () => (await PodNamesAsync(ns)).Count == 1, "job pod");
        var pod = (await PodNamesAsync(ns))[0];
        var (code, _) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/{pod}/status",
            """{"status":{"phase":"Succeeded","containerStatuses":[{"name":"once","image":"busybox","imageID":"busybox","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}""",
            "application/merge-patch+json");
        Assert.Equal(200, code);
        (await K.RunAsync(["wait", "--for=condition=Complete", "job/once", "-n", ns, "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok();
        Assert.Matches(@"once\s+Complete\s+1/1", (await K.RunAsync(["get", "job", "once", "-n", ns])).Ok());
    }

    [Fact]
    public async Task DeleteForeground_WaitsForDependentsBeforeTheOwnerGoes()
    {
        var ns = await K.NewNamespaceAsync("fg");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 2));
        await EventuallyAsync(async () => (await PodNamesAsync(ns)).Count == 2, "pods created");
        Assert.Contains("deleted", (await K.RunAsync(["delete", "deploy/web", "-n", ns, "--cascade=foreground", "--timeout=60s"], timeout: TimeSpan.FromSeconds(90))).Ok());
        Assert.Equal("", (await K.RunAsync(["get", "deploy,rs,pods", "-n", ns, "-o", "name"])).Ok().Trim());
    }

    [Fact]
    public async Task StatefulSet_ComesUpInOrderWithItsClaims()
    {
        var ns = await K.NewNamespaceAsync("sts");
        await K.ApplyAsync(ns, """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              serviceName: db
              replicas: 3
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec: {containers: [{name: c, image: busybox}]}
              volumeClaimTemplates:
              - metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
            """);
        var seen = new List<string>();
        for (var ordinal = 0; ordinal < 3; ordinal++)
        {
            var name = $"db-{ordinal}";
            await EventuallyAsync(async () => (await PodNamesAsync(ns)).Contains(name), name);
            var pods = await PodNamesAsync(ns);
            Assert.Equal(ordinal + 1, pods.Count); // the next ordinal waits for this one to be ready
            Assert.Equal($"data-db-{ordinal}", await K.JsonPathAsync(ns, $"pvc/data-db-{ordinal}", "{.metadata.name}"));
            await Task.Delay(500);
            Assert.Equal(ordinal + 1, (await PodNamesAsync(ns)).Count);
            await PodReadiness.MarkAllReadyAsync(_api, ns);
            seen.Add(name);
        }
        Assert.Equal(["db-0", "db-1", "db-2"], seen);
        await EventuallyAsync(async () => await K.JsonPathAsync(ns, "sts/db", "{.status.readyReplicas}") == "3", "3 ready");
    }

    private async Task<List<string>> PodNamesAsync(string ns) =>
        (await K.RunAsync(["get", "pods", "-n", ns, "-o", "jsonpath={.items[?(@.metadata.deletionTimestamp)].metadata.name}|{.items[*].metadata.name}"])).Ok()
            .Split('|') is var parts
            ? parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Except(parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList()
            : [];

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
