using System.Diagnostics;
using Gantry.Client;
using Gantry.Controllers.GarbageCollector;
using Gantry.Controllers.Namespace;
using Gantry.Controllers.ServiceAccount;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.Namespace;

public sealed class NamespaceControllerTests
{
    private static readonly NamespaceOptions Fast = new()
    {
        DeletionGracePeriod = TimeSpan.Zero, FinalizerEstimate = TimeSpan.FromMilliseconds(200), RecheckDelay = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task DeletingANamespace_DeletesItsContentAndThenTheNamespace()
    {
        await using var cluster = await StartAsync();
        await CreateNamespaceAsync(cluster, "doomed");
        await cluster.Client.For<V1ConfigMap>().CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = "doomed" } });
        await cluster.Client.For<V1Secret>().CreateAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "token", NamespaceProperty = "doomed" } });
        await cluster.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "doomed" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
        });

        await cluster.Client.For<V1Namespace>().DeleteAsync(null, "doomed");

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1Namespace>().GetAsync(null, "doomed") is null, "the namespace to go");
        Assert.Empty((await cluster.Client.For<V1ConfigMap>().ListAsync("doomed")).Items);
        Assert.Empty((await cluster.Client.For<V1Pod>().ListAsync("doomed")).Items);
    }

    [Fact]
    public async Task ANamespaceDeletedInTheForeground_IsDeletedToo()
    {
        await using var cluster = await StartAsync();
        await CreateNamespaceAsync(cluster, "foreground");
        await cluster.Client.For<V1ConfigMap>().CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = "foreground" } });

        await cluster.Client.For<V1Namespace>().DeleteAsync(null, "foreground", DeleteOptions.Foreground);

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1Namespace>().GetAsync(null, "foreground") is null, "the namespace to go");
    }

    [Fact]
    public async Task ANamespaceWithContentHeldByAFinalizer_StaysTerminatingWithConditionsUntilTheFinalizerGoes()
    {
        await using var cluster = await StartAsync();
        await CreateNamespaceAsync(cluster, "held");
        await cluster.Client.For<V1ConfigMap>().CreateAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "keep", NamespaceProperty = "held", Finalizers = ["example.com/hold"] },
        });

        await cluster.Client.For<V1Namespace>().DeleteAsync(null, "held");

        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<V1Namespace>().GetAsync(null, "held"))?.Status?.Conditions?
                .Any(c => c is { Type: "NamespaceFinalizersRemaining", Status: "True" }) == true, "the finalizers-remaining condition");
        var ns = await cluster.Client.For<V1Namespace>().GetAsync(null, "held");
        Assert.Equal("Terminating", ns!.Status.Phase);
        var remaining = Assert.Single(ns.Status.Conditions, c => c.Type == "NamespaceContentRemaining");
        Assert.Equal("Some resources are remaining: configmaps has 1 resource instances", remaining.Message);
        var finalizers = Assert.Single(ns.Status.Conditions, c => c.Type == "NamespaceFinalizersRemaining");
        Assert.Equal("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances", finalizers.Message);

        await cluster.Client.For<V1ConfigMap>().PatchAsync("held", "keep", PatchType.Merge, """{"metadata":{"finalizers":null}}""");

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1Namespace>().GetAsync(null, "held") is null, "the namespace to go");
    }

    [Fact]
    public async Task KubectlDeleteNamespace_CompletesWhileTheServiceAccountControllersRun()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ca = RootCaPublisherOptions.FromKubeconfig(cluster.Kubeconfig);
        cluster.StartControllers(new ControllerOptions(), c => new NamespaceController(c, Fast), c => new GarbageCollectorController(c),
            c => new ServiceAccountController(c), c => new RootCaPublisher(c, ca));
        await CreateNamespaceAsync(cluster, "by-kubectl");
        await cluster.Client.For<V1ConfigMap>().CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = "by-kubectl" } });
        await TestCluster.EventuallyAsync(async () =>
            await cluster.Client.For<V1ServiceAccount>().GetAsync("by-kubectl", "default") is not null
            && await cluster.Client.For<V1ConfigMap>().GetAsync("by-kubectl", "kube-root-ca.crt") is not null, "the namespace's default content");

        var (exitCode, output) = await RunKubectlAsync(cluster, "delete", "namespace", "by-kubectl", "--timeout=20s");

        Assert.True(exitCode == 0, output);
        Assert.Contains("namespace \"by-kubectl\" deleted", output);
        Assert.Null(await cluster.Client.For<V1Namespace>().GetAsync(null, "by-kubectl"));
    }

    private static Task<TestCluster> StartAsync() =>
        TestCluster.StartAsync(c => new NamespaceController(c, Fast), c => new GarbageCollectorController(c));

    private static Task<V1Namespace> CreateNamespaceAsync(TestCluster cluster, string name) =>
        cluster.Client.For<V1Namespace>().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });

    private static async Task<(int ExitCode, string Output)> RunKubectlAsync(TestCluster cluster, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/lib/google-cloud-sdk/bin/kubectl.1.32") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--kubeconfig={cluster.Kubeconfig}");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
