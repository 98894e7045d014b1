using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

[Collection(ServerCollection.Name)]
public sealed class DiscoveryTests(ServerFixture fixture)
{
    [Fact]
    public async Task Version_ReportsKubernetes132()
    {
        var output = (await fixture.Kubectl.RunAsync("version -o json")).Ok();
        Assert.Contains("\"minor\": \"32\"", output);
        Assert.Contains("v1.32.0+gantry", output);
    }

    [Fact]
    public async Task ApiVersions_ListsEveryServedGroupVersion()
    {
        var output = (await fixture.Kubectl.RunAsync("api-versions")).Ok();
        foreach (var gv in new[] { "v1", "apps/v1", "batch/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "events.k8s.io/v1",
                     "policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1", "authorization.k8s.io/v1" })
            Assert.Contains(gv + "\n", output);
    }

    [Fact]
    public async Task ApiResources_ShowsShortNamesAndScope()
    {
        var output = (await fixture.Kubectl.RunAsync("api-resources")).Ok();
        Assert.Matches(@"deployments\s+deploy\s+apps/v1\s+true\s+Deployment", output);
        Assert.Matches(@"namespaces\s+ns\s+v1\s+false\s+Namespace", output);
        Assert.Matches(@"pods\s+po\s+v1\s+true\s+Pod", output);
    }

    [Fact]
    public async Task GetNamespaces_ShowsTheSystemNamespaces()
    {
        var output = (await fixture.Kubectl.RunAsync("get namespaces")).Ok();
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" }) Assert.Contains(ns, output);
    }

    [Theory]
    [InlineData("28")]
    [InlineData("33")]
    public async Task OtherKubectlVersions_ReadDiscovery(string minor)
    {
        var k = new Gantry.Testing.Processes.Kubectl(fixture.Server, minor);
        var output = (await k.RunAsync("api-resources")).Ok();
        Assert.Matches(@"deployments\s+deploy\s+apps/v1\s+true\s+Deployment", output);
        Assert.Contains("default", (await k.RunAsync("get ns")).Ok());
    }

    [Fact]
    public async Task UnauthenticatedRequests_Get401()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        var response = await http.GetAsync(fixture.Server.Url + "/api/v1/namespaces");
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains("\"kind\":\"Status\"", await response.Content.ReadAsStringAsync());
        var health = await http.GetAsync(fixture.Server.Url + "/healthz");
        Assert.Equal(200, (int)health.StatusCode);
    }
}
