using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Services;

/// <summary><c>kubectl expose</c> (1.32) against a real <c>gantry server</c>, and allocations across a restart.</summary>
[Collection(ServerCollection.Name)]
public sealed class ExposeTests(ServerFixture fixture)
{
    private Harness.Kubectl K => fixture.Kubectl;

    [Fact]
    public async Task KubectlExpose_CreatesAServiceFromTheDeploymentSelector()
    {
        var ns = await K.NewNamespaceAsync("expose");
        await K.ApplyAsync(ns, Kubectl.Manifests.Deployment("web", 1));

        Assert.Contains("service/web exposed", (await K.RunAsync(["expose", "deployment", "web", "--port", "80", "--target-port", "8080", "-n", ns])).Ok());
        Assert.Contains("service/web-np exposed",
            (await K.RunAsync(["expose", "deployment", "web", "--name", "web-np", "--port", "80", "--type", "NodePort", "-n", ns])).Ok());

        var web = JsonNode.Parse((await K.RunAsync(["get", "svc", "web", "-n", ns, "-o", "json"])).Ok())!["spec"]!;
        Assert.Equal("web", (string)web["selector"]!["app"]!);
        Assert.Equal(8080, (int)web["ports"]![0]!["targetPort"]!);
        Assert.StartsWith("10.43.", (string)web["clusterIP"]!);
        var nodePort = JsonNode.Parse((await K.RunAsync(["get", "svc", "web-np", "-n", ns, "-o", "json"])).Ok())!["spec"]!;
        Assert.Equal("NodePort", (string)nodePort["type"]!);
        Assert.InRange((int)nodePort["ports"]![0]!["nodePort"]!, 30000, 32767);
        Assert.Matches(@"web-np\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+80:3\d{4}/TCP", (await K.RunAsync(["get", "svc", "-n", ns])).Ok());
    }
}

/// <summary>A server of its own, killed and restarted on its SQLite store.</summary>
public sealed class ServiceRestartTests
{
    [Fact]
    public async Task AfterARestart_NewServicesNeverReuseAllocatedIpsOrPorts()
    {
        await using var server = await GantryServer.StartAsync(extraArguments: ["--service-cidr", "10.50.0.0/27", "--service-node-port-range", "30000-30029"]);
        using (var api = new RawApi(server))
        {
            for (var i = 0; i < 12; i++) Assert.Equal(201, (await Create(api, $"before-{i}")).Code);
        }
        await server.KillAsync();
        await server.StartProcessAsync();
        using var again = new RawApi(server);
        for (var i = 0; i < 12; i++) Assert.Equal(201, (await Create(again, $"after-{i}")).Code);

        var (_, list) = await again.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services");
        var specs = list!["items"]!.AsArray().Select(s => s!["spec"]!).ToList();
        Assert.Equal(25, specs.Count); // 24 and the kubernetes service
        Assert.Equal(25, specs.Select(s => (string)s["clusterIP"]!).Distinct().Count());
        Assert.Contains(specs, s => (string)s["clusterIP"]! == "10.50.0.1");
        var ports = specs.SelectMany(s => s["ports"]!.AsArray()).Where(p => p!["nodePort"] is not null).Select(p => (int)p!["nodePort"]!).ToList();
        Assert.Equal(24, ports.Distinct().Count());
    }

    private static Task<(int Code, JsonNode? Body)> Create(RawApi api, string name) =>
        api.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services",
            "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}");
}
