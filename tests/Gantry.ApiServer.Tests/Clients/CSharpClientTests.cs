using System.Collections.Concurrent;
using System.Net;
using Gantry.ApiServer.Tests.Harness;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Gantry.ApiServer.Tests.Clients;

/// <summary>The official C# client (KubernetesClient), configured only from the kubeconfig the server wrote.</summary>
[Collection(ServerCollection.Name)]
public sealed class CSharpClientTests(ServerFixture fixture) : IDisposable
{
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.Kubeconfig));

    public void Dispose() => _client.Dispose();

    private async Task<string> NewNamespaceAsync()
    {
        var name = "cs-" + Guid.NewGuid().ToString("N")[..10];
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    private static V1Pod Pod(string name, string app) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
        // A scheduler name nobody serves, so the in-server scheduler leaves these pods (and their watch events) alone.
        Spec = new V1PodSpec { SchedulerName = "unscheduled-test", Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sleep", "3600"] }] },
    };

    private static V1Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx:1.27" }] },
            },
        },
    };

    [Fact]
    public async Task Pods_CreateReadListReplacePatchDelete_RoundTrip()
    {
        var ns = await NewNamespaceAsync();
        var created = await _client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", "web"), ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("web-2", "web"), ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("db-1", "db"), ns);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.NotNull(created.Metadata.CreationTimestamp);

        var read = await _client.CoreV1.ReadNamespacedPodAsync("web-1", ns);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal("busybox:1.36", read.Spec.Containers[0].Image);

        var web = await _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web");
        Assert.Equal(["web-1", "web-2"], web.Items.Select(p => p.Metadata.Name).Order());
        var notWeb = await _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app!=web");
        Assert.Equal(["db-1"], notWeb.Items.Select(p => p.Metadata.Name));
        var setBased = await _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app in (db,cache)");
        Assert.Single(setBased.Items);

        read.Metadata.Labels["tier"] = "front";
        var replaced = await _client.CoreV1.ReplaceNamespacedPodAsync(read, "web-1", ns);
        Assert.Equal("front", replaced.Metadata.Labels["tier"]);
        Assert.NotEqual(read.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);

        var merge = new V1Patch("""{"metadata":{"annotations":{"note":"merged"}}}""", V1Patch.PatchType.MergePatch);
        var merged = await _client.CoreV1.PatchNamespacedPodAsync(merge, "web-1", ns);
        Assert.Equal("merged", merged.Metadata.Annotations["note"]);
        Assert.Equal("front", merged.Metadata.Labels["tier"]);

        // Strategic merge keys containers by name: the image changes and the container is not duplicated.
        var strategic = new V1Patch("""{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}""", V1Patch.PatchType.StrategicMergePatch);
        var patched = await _client.CoreV1.PatchNamespacedPodAsync(strategic, "web-1", ns);
        var container = Assert.Single(patched.Spec.Containers);
        Assert.Equal("busybox:1.37", container.Image);
        Assert.Equal(["sleep", "3600"], container.Command);

        var jsonPatch = new V1Patch("""[{"op":"add","path":"/metadata/labels/patched","value":"json"}]""", V1Patch.PatchType.JsonPatch);
        Assert.Equal("json", (await _client.CoreV1.PatchNamespacedPodAsync(jsonPatch, "web-1", ns)).Metadata.Labels["patched"]);

        await _client.CoreV1.DeleteNamespacedPodAsync("web-1", ns, gracePeriodSeconds: 0);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(async () =>
        {
            // Pods may linger while terminating; poll until the API answers 404.
            for (var i = 0; i < 100; i++)
            {
                await _client.CoreV1.ReadNamespacedPodAsync("web-1", ns);
                await Task.Delay(100);
            }
        });
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        var left = await _client.CoreV1.ListNamespacedPodAsync(ns);
        Assert.Equal(["db-1", "web-2"], left.Items.Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public async Task Deployments_CreateReadListReplacePatchDelete_RoundTrip()
    {
        var ns = await NewNamespaceAsync();
        var created = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), ns);
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("api", 1), ns);
        Assert.Equal(2, created.Spec.Replicas);
        Assert.Equal(1, created.Metadata.Generation);

        var read = await _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);

        var list = await _client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: "app=web");
        Assert.Equal("web", Assert.Single(list.Items).Metadata.Name);

        // The deployment controller writes status meanwhile, so replace the way real clients do: re-read on conflict.
        var replaced = await ReplaceDeploymentAsync(ns, "web", d => d.Spec.Replicas = 3);
        Assert.Equal(3, replaced.Spec.Replicas);
        Assert.Equal(2, replaced.Metadata.Generation);

        var merge = new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch);
        Assert.Equal(5, (await _client.AppsV1.PatchNamespacedDeploymentAsync(merge, "web", ns)).Spec.Replicas);

        var strategic = new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}""", V1Patch.PatchType.StrategicMergePatch);
        var patched = await _client.AppsV1.PatchNamespacedDeploymentAsync(strategic, "web", ns);
        Assert.Equal(["sidecar", "web"], patched.Spec.Template.Spec.Containers.Select(c => c.Name).Order());

        var scale = await _client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        Assert.Equal(5, scale.Spec.Replicas);

        await _client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns);
        var names = (await _client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Select(d => d.Metadata.Name);
        Assert.Equal(["api"], names);
    }

    [Fact]
    public async Task Create_AppliesKubernetesDefaults_ToDeploymentsAndPods()
    {
        var ns = await NewNamespaceAsync();
        var deployment = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("defaults", 1), ns);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy?.Type);
        Assert.Equal("25%", deployment.Spec.Strategy?.RollingUpdate?.MaxSurge?.Value);
        Assert.Equal(10, deployment.Spec.RevisionHistoryLimit);
        Assert.Equal(600, deployment.Spec.ProgressDeadlineSeconds);
        Assert.Equal("Always", deployment.Spec.Template.Spec.RestartPolicy);

        var pod = await _client.CoreV1.CreateNamespacedPodAsync(Pod("defaults", "d"), ns);
        Assert.Equal("Always", pod.Spec.RestartPolicy);
        Assert.Equal("ClusterFirst", pod.Spec.DnsPolicy);
        Assert.Equal(30, pod.Spec.TerminationGracePeriodSeconds);
        Assert.Equal("IfNotPresent", pod.Spec.Containers[0].ImagePullPolicy);
        Assert.Equal("Pending", pod.Status?.Phase);
    }

    [Fact]
    public async Task List_RightAfterAWriteToAnotherResource_AnswersPromptly()
    {
        var ns = await NewNamespaceAsync();
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("p", "x"), ns);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, ns);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var pods = await _client.CoreV1.ListNamespacedPodAsync(ns);
        Assert.Equal("p", Assert.Single(pods.Items).Metadata.Name);
        // A generous bound: the point is that the list never waits for a write to some other resource.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"list took {started.Elapsed}");
    }

    private async Task<V1Deployment> ReplaceDeploymentAsync(string ns, string name, Action<V1Deployment> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await _client.AppsV1.ReadNamespacedDeploymentAsync(name, ns);
            change(current);
            try { return await _client.AppsV1.ReplaceNamespacedDeploymentAsync(current, name, ns); }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict && attempt < 10) { }
        }
    }

    [Fact]
    public async Task Replace_WithStaleResourceVersion_ThrowsConflict()
    {
        var ns = await NewNamespaceAsync();
        var first = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("stale", 1), ns);
        await ReplaceDeploymentAsync(ns, "stale", d => d.Spec.Replicas = 2);

        first.Spec.Replicas = 4; // still carries the first resourceVersion
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.ReplaceNamespacedDeploymentAsync(first, "stale", ns));
        Assert.Equal(HttpStatusCode.Conflict, ex.Response.StatusCode);
        Assert.Contains("\"reason\":\"Conflict\"", ex.Response.Content);

        var pod = await _client.CoreV1.CreateNamespacedPodAsync(Pod("p", "x"), ns);
        await _client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"v":"2"}}}""", V1Patch.PatchType.MergePatch), "p", ns);
        var stalePatch = new V1Patch("{\"metadata\":{\"resourceVersion\":\"" + pod.Metadata.ResourceVersion + "\",\"labels\":{\"v\":\"3\"}}}", V1Patch.PatchType.MergePatch);
        var patchEx = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.PatchNamespacedPodAsync(stalePatch, "p", ns));
        Assert.Equal(HttpStatusCode.Conflict, patchEx.Response.StatusCode);
        Assert.Equal("2", (await _client.CoreV1.ReadNamespacedPodAsync("p", ns)).Metadata.Labels["v"]);
    }

    [Fact]
    public async Task Watch_ReceivesAddedModifiedDeleted_ForChangesAfterItStarts()
    {
        var ns = await NewNamespaceAsync();
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("before", "w"), ns);
        var list = await _client.CoreV1.ListNamespacedPodAsync(ns);

        var events = new BlockingCollection<(WatchEventType Type, V1Pod Pod)>();
        var errors = new ConcurrentQueue<Exception>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = _client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(
            ns, watch: true, resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 30, cancellationToken: cts.Token);
        // The callback Watch extension is what most users of this client call, even though it is marked obsolete.
#pragma warning disable CS0618
        using var watcher = response.Watch<V1Pod, V1PodList>((type, pod) => events.Add((type, pod)), errors.Enqueue);
#pragma warning restore CS0618

        await _client.CoreV1.CreateNamespacedPodAsync(Pod("watched", "w"), ns);
        await _client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"step":"2"}}}""", V1Patch.PatchType.MergePatch), "watched", ns);
        await _client.CoreV1.DeleteNamespacedPodAsync("watched", ns, gracePeriodSeconds: 0);

        var seen = new List<(WatchEventType Type, V1Pod Pod)>();
        while (!seen.Any(e => e.Type == WatchEventType.Deleted))
        {
            Assert.True(events.TryTake(out var e, TimeSpan.FromSeconds(15)), $"watch stalled after {seen.Count} events; errors: {string.Join("; ", errors)}");
            seen.Add(e);
        }
        Assert.DoesNotContain(seen, e => e.Pod.Metadata.Name == "before");
        Assert.Equal(WatchEventType.Added, seen[0].Type);
        Assert.Equal("watched", seen[0].Pod.Metadata.Name);
        Assert.Contains(seen, e => e.Type == WatchEventType.Modified && e.Pod.Metadata.Labels is { } l && l.TryGetValue("step", out var step) && step == "2");
        Assert.Equal("watched", seen[^1].Pod.Metadata.Name);
        var versions = seen.Select(e => long.Parse(e.Pod.Metadata.ResourceVersion)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Empty(errors);
    }
}
