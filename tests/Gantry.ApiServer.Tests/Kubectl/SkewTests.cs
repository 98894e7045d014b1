using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

/// <summary>The everyday kubectl workflow with the other kubectl versions users run (1.28 and 1.33 beside 1.32).</summary>
[Collection(ServerCollection.Name)]
public sealed class SkewTests(ServerFixture fixture)
{
    [Theory]
    [InlineData("28")]
    [InlineData("33")]
    public async Task EverydayWorkflow_WorksWithOtherKubectlVersions(string minor)
    {
        var k = new Gantry.Testing.Processes.Kubectl(fixture.Server, minor);
        var ns = await k.NewNamespaceAsync($"skew{minor}");
        Assert.Contains("created", await k.ApplyAsync(ns, Manifests.Deployment("web", 2)));
        Assert.Contains("configured", await k.ApplyAsync(ns, Manifests.Deployment("web", 3, "nginx:2")));
        Assert.Matches(@"web\s+0/3", (await k.RunAsync(["get", "deploy", "-n", ns, "-o", "wide"])).Ok());
        Assert.Contains("serverside-applied", await k.ApplyAsync(ns, Manifests.ConfigMap("ssa"), "--server-side"));
        (await k.RunAsync(["create", "configmap", "c", "-n", ns, "--from-literal=a=b"])).Ok();
        (await k.RunAsync(["create", "secret", "generic", "s", "-n", ns, "--from-literal=a=b"])).Ok();
        (await k.RunAsync(["label", "cm/c", "-n", ns, "x=y"])).Ok();
        (await k.RunAsync(["annotate", "cm/c", "-n", ns, "n=1"])).Ok();
        (await k.RunAsync(["patch", "deploy/web", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"replicas\":5}}"])).Ok();
        (await k.RunAsync(["scale", "deploy/web", "-n", ns, "--replicas=4"])).Ok();
        Assert.Equal("4 y", await k.JsonPathAsync(ns, "deploy/web", "{.spec.replicas} ") + await k.JsonPathAsync(ns, "cm/c", "{.metadata.labels.x}"));
        Assert.Matches(@"Replicas:\s+4 desired", (await k.RunAsync(["describe", "deploy/web", "-n", ns])).Ok());
        (await k.RunAsync(["wait", "-n", ns, "--for=jsonpath={.spec.replicas}=4", "deploy/web", "--timeout=10s"])).Ok();
        Assert.Contains("deleted", (await k.RunAsync(["delete", "deploy/web", "-n", ns])).Ok());
        Assert.Contains("deleted", (await k.RunAsync(["delete", "cm", "--all", "-n", ns])).Ok());
        Assert.Contains("yes", (await k.RunAsync(["auth", "can-i", "create", "pods", "-n", ns])).Ok());
    }
}
