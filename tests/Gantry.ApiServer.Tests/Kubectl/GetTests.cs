using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

[Collection(ServerCollection.Name)]
public sealed class GetTests(ServerFixture fixture)
{
    private Gantry.Testing.Processes.Kubectl K => fixture.Kubectl;

    [Fact]
    public async Task Get_PrintsServerSideTablesInEveryOutputFormat()
    {
        var ns = await K.NewNamespaceAsync("get");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 2));
        var table = (await K.RunAsync(["get", "deploy", "-n", ns])).Ok();
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", table);
        Assert.Matches(@"web\s+0/2\s+\d+\s+0\s+\d+s", table);
        var wide = (await K.RunAsync(["get", "deploy", "-n", ns, "-o", "wide"])).Ok();
        Assert.Matches(@"CONTAINERS\s+IMAGES\s+SELECTOR", wide);
        Assert.Matches(@"app\s+nginx:1\s+app=web", wide);
        Assert.Contains("kind: Deployment", (await K.RunAsync(["get", "deploy/web", "-n", ns, "-o", "yaml"])).Ok());
        Assert.Contains("\"kind\": \"Deployment\"", (await K.RunAsync(["get", "deploy/web", "-n", ns, "-o", "json"])).Ok());
        Assert.Equal("deployment.apps/web\n", (await K.RunAsync(["get", "deploy", "-n", ns, "-o", "name"])).Ok());
        Assert.Equal("web", await K.JsonPathAsync(ns, "deploy", "{.items[0].metadata.name}"));
    }

    [Fact]
    public async Task Get_FiltersByLabelFieldAndNamespace()
    {
        var ns = await K.NewNamespaceAsync("filter");
        await K.ApplyAsync(ns, Manifests.ConfigMap("one"));
        await K.ApplyAsync(ns, Manifests.ConfigMap("two").Replace("tier: cache", "tier: db"));
        Assert.Equal("one", (await K.RunAsync(["get", "cm", "-n", ns, "-l", "tier=cache", "-o", "jsonpath={.items[*].metadata.name}"])).Ok());
        Assert.Equal("two", (await K.RunAsync(["get", "cm", "-n", ns, "-l", "tier in (db,x)", "-o", "jsonpath={.items[*].metadata.name}"])).Ok());
        Assert.Equal("two", (await K.RunAsync(["get", "cm", "-n", ns, "--field-selector", "metadata.name=two", "-o", "jsonpath={.items[*].metadata.name}"])).Ok());
        var all = (await K.RunAsync(["get", "cm", "-A", "-l", "tier"])).Ok();
        Assert.Matches($@"{ns}\s+one", all);
        Assert.Matches($@"{ns}\s+two", all);
        var bad = await K.RunAsync(["get", "cm", "-n", ns, "--field-selector", "spec.nope=1"]);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("field label not supported: spec.nope", bad.Stderr);
    }

    [Fact]
    public async Task GetWatch_ReceivesLiveChanges()
    {
        var ns = await K.NewNamespaceAsync("watch");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 1));
        var watch = K.RunAsync(["get", "deploy", "-n", ns, "-w", "--request-timeout=8s"], timeout: TimeSpan.FromSeconds(30));
        await Task.Delay(1500);
        (await K.RunAsync(["scale", "deploy/web", "-n", ns, "--replicas=4"])).Ok();
        (await K.RunAsync(["delete", "deploy/web", "-n", ns])).Ok();
        var result = await watch;
        Assert.Matches(@"web\s+0/1", result.Stdout);
        Assert.Matches(@"web\s+0/4", result.Stdout);
    }

    [Fact]
    public async Task Describe_ShowsTheObject()
    {
        var ns = await K.NewNamespaceAsync("describe");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 2));
        var output = (await K.RunAsync(["describe", "deploy", "web", "-n", ns])).Ok();
        Assert.Matches(@"Name:\s+web", output);
        Assert.Matches(@"Replicas:\s+2 desired", output);
        Assert.Matches(@"Image:\s+nginx:1", output);
    }

    [Fact]
    public async Task ListPaging_ReturnsEveryObjectOnce()
    {
        var ns = await K.NewNamespaceAsync("paging");
        for (var i = 0; i < 7; i++) await K.ApplyAsync(ns, Manifests.ConfigMap($"cm-{i}"));
        var names = (await K.RunAsync(["get", "cm", "-n", ns, "--chunk-size=2", "-o", "name"])).Ok()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => n.StartsWith("configmap/cm-")).ToList();
        Assert.Equal(7, names.Count);
        Assert.Equal(7, names.Distinct().Count());
    }
}
