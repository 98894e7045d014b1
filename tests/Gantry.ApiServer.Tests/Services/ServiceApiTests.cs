using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Services;

/// <summary>Cluster IPs, node ports and the kubernetes service of a real <c>gantry server</c>.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServiceApiTests(ServerFixture fixture) : IDisposable
{
    private readonly RawApi _api = new(fixture.Server);

    public void Dispose() => _api.Dispose();

    private async Task<(int Code, JsonNode? Body)> CreateServiceAsync(string ns, string name, string spec) =>
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services",
            "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec + "}");

    [Fact]
    public async Task ANewService_GetsAClusterIpFromTheDynamicBand_AndSingleStackIPv4()
    {
        var ns = await _api.CreateNamespaceAsync("svc-alloc");
        var (code, svc) = await CreateServiceAsync(ns, "web", """{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}""");
        Assert.Equal(201, code);
        var ip = (string)svc!["spec"]!["clusterIP"]!;
        Assert.StartsWith("10.43.", ip);
        // The lower 256 addresses (10.43.0.1-10.43.1.0) are left for requested IPs while the upper band has room.
        var bytes = System.Net.IPAddress.Parse(ip).GetAddressBytes();
        Assert.True(bytes[2] * 256 + bytes[3] > 256, ip);
        Assert.Equal(ip, (string)svc["spec"]!["clusterIPs"]![0]!);
        Assert.Equal("IPv4", (string)svc["spec"]!["ipFamilies"]![0]!);
        Assert.Equal("SingleStack", (string)svc["spec"]!["ipFamilyPolicy"]!);
    }

    [Fact]
    public async Task ARequestedClusterIpInUse_IsRefusedWithTheKubernetesMessage()
    {
        var ns = await _api.CreateNamespaceAsync("svc-conflict");
        Assert.Equal(201, (await CreateServiceAsync(ns, "first", """{"clusterIP":"10.43.0.77","ports":[{"port":80}]}""")).Code);

        var (code, status) = await CreateServiceAsync(ns, "second", """{"clusterIP":"10.43.0.77","ports":[{"port":80}]}""");

        Assert.Equal(422, code);
        Assert.Equal("Service \"second\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.43.0.77\"}: failed to allocate IP 10.43.0.77: provided IP is already allocated",
            (string?)status!["message"]);
        var (outside, outsideStatus) = await CreateServiceAsync(ns, "third", """{"clusterIP":"10.99.0.1","ports":[{"port":80}]}""");
        Assert.Equal(422, outside);
        Assert.Contains("failed to allocate IP 10.99.0.1: the provided IP (10.99.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16",
            (string?)outsideStatus!["message"]);
    }

    [Fact]
    public async Task Headless_KeepsNone_AndExternalName_GetsNoClusterIp()
    {
        var ns = await _api.CreateNamespaceAsync("svc-headless");
        var (_, headless) = await CreateServiceAsync(ns, "db", """{"clusterIP":"None","selector":{"app":"db"},"ports":[{"port":5432}]}""");
        Assert.Equal("None", (string)headless!["spec"]!["clusterIP"]!);
        Assert.Equal("None", (string)headless["spec"]!["clusterIPs"]![0]!);
        var (_, external) = await CreateServiceAsync(ns, "ext", """{"type":"ExternalName","externalName":"example.com"}""");
        Assert.Null(external!["spec"]!["clusterIP"]);
        Assert.Null(external["spec"]!["ipFamilies"]);
    }

    [Fact]
    public async Task ClusterIp_IsImmutable()
    {
        var ns = await _api.CreateNamespaceAsync("svc-immutable");
        var (_, svc) = await CreateServiceAsync(ns, "web", """{"ports":[{"port":80}]}""");
        var (code, status) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/web",
            """{"spec":{"clusterIP":"10.43.0.99"}}""", "application/strategic-merge-patch+json");
        Assert.Equal(422, code);
        Assert.Equal("Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.99\"}: may not change once set", (string?)status!["message"]);
        // A PUT that leaves the allocated address out keeps it.
        var body = svc!.DeepClone();
        body["spec"]!.AsObject().Remove("clusterIP");
        body["spec"]!.AsObject().Remove("clusterIPs");
        var (putCode, put) = await _api.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/services/web", body.ToJsonString());
        Assert.Equal(200, putCode);
        Assert.Equal((string)svc["spec"]!["clusterIP"]!, (string)put!["spec"]!["clusterIP"]!);
    }

    [Fact]
    public async Task NodePorts_AreAllocated_RefusedWhenTaken_AndReleasedOnTypeChange()
    {
        var ns = await _api.CreateNamespaceAsync("svc-nodeport");
        var (code, svc) = await CreateServiceAsync(ns, "np", """{"type":"NodePort","ports":[{"name":"http","port":80},{"name":"fixed","port":81,"nodePort":30581}]}""");
        Assert.Equal(201, code);
        var allocated = (int)svc!["spec"]!["ports"]![0]!["nodePort"]!;
        Assert.InRange(allocated, 30000, 32767);
        Assert.Equal(30581, (int)svc["spec"]!["ports"]![1]!["nodePort"]!);

        var (taken, status) = await CreateServiceAsync(ns, "np2", """{"type":"NodePort","ports":[{"port":80,"nodePort":30581}]}""");
        Assert.Equal(422, taken);
        Assert.Equal("Service \"np2\" is invalid: spec.ports[0].nodePort: Invalid value: 30581: provided port is already allocated", (string?)status!["message"]);

        var (_, clusterIp) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/np", """{"spec":{"type":"ClusterIP"}}""",
            "application/merge-patch+json");
        Assert.All(clusterIp!["spec"]!["ports"]!.AsArray(), p => Assert.Null(p!["nodePort"]));
        Assert.Null(clusterIp["spec"]!["externalTrafficPolicy"]);
        // The released port is free again.
        Assert.Equal(201, (await CreateServiceAsync(ns, "np3", """{"type":"NodePort","ports":[{"port":80,"nodePort":30581}]}""")).Code);

        var (_, nodePort) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/np", """{"spec":{"type":"NodePort"}}""",
            "application/merge-patch+json");
        Assert.All(nodePort!["spec"]!["ports"]!.AsArray(), p => Assert.InRange((int)p!["nodePort"]!, 30000, 32767));
    }

    [Fact]
    public async Task MovingToExternalName_ReleasesTheClusterIp_AndMovingBackAllocatesOne()
    {
        var ns = await _api.CreateNamespaceAsync("svc-extname");
        var (_, svc) = await CreateServiceAsync(ns, "web", """{"clusterIP":"10.43.0.88","ports":[{"port":80}]}""");
        Assert.Equal("10.43.0.88", (string)svc!["spec"]!["clusterIP"]!);

        var (code, external) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/web",
            """{"spec":{"type":"ExternalName","externalName":"example.com"}}""", "application/merge-patch+json");
        Assert.Equal(200, code);
        Assert.Null(external!["spec"]!["clusterIP"]);
        Assert.Null(external["spec"]!["clusterIPs"]);
        Assert.Null(external["spec"]!["ipFamilies"]);
        // The address is free again.
        Assert.Equal(201, (await CreateServiceAsync(ns, "other", """{"clusterIP":"10.43.0.88","ports":[{"port":80}]}""")).Code);

        var (_, back) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/web",
            """{"spec":{"type":"ClusterIP","externalName":null}}""", "application/merge-patch+json");
        Assert.StartsWith("10.43.", (string)back!["spec"]!["clusterIP"]!);
        Assert.NotEqual("10.43.0.88", (string)back["spec"]!["clusterIP"]!);
        Assert.Equal("SingleStack", (string)back["spec"]!["ipFamilyPolicy"]!);
    }

    [Fact]
    public async Task LoadBalancerWithLocalTrafficPolicy_GetsAHealthCheckNodePort()
    {
        var ns = await _api.CreateNamespaceAsync("svc-lb");
        var (code, svc) = await CreateServiceAsync(ns, "lb", """{"type":"LoadBalancer","externalTrafficPolicy":"Local","ports":[{"port":80}]}""");
        Assert.Equal(201, code);
        Assert.InRange((int)svc!["spec"]!["healthCheckNodePort"]!, 30000, 32767);
        Assert.NotEqual((int)svc["spec"]!["healthCheckNodePort"]!, (int)svc["spec"]!["ports"]![0]!["nodePort"]!);
    }

    [Fact]
    public async Task TheKubernetesService_AndItsEndpoints_PointAtTheServer()
    {
        var (_, svc) = await _api.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/kubernetes");
        Assert.Equal("10.43.0.1", (string)svc!["spec"]!["clusterIP"]!);
        var port = svc["spec"]!["ports"]![0]!;
        Assert.Equal("https", (string)port["name"]!);
        Assert.Equal(443, (int)port["port"]!);
        Assert.Equal(fixture.Server.Port, (int)port["targetPort"]!);
        Assert.Equal("apiserver", (string)svc["metadata"]!["labels"]!["component"]!);

        var (_, endpoints) = await _api.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/endpoints/kubernetes");
        Assert.Equal("127.0.0.1", (string)endpoints!["subsets"]![0]!["addresses"]![0]!["ip"]!);
        Assert.Equal(fixture.Server.Port, (int)endpoints["subsets"]![0]!["ports"]![0]!["port"]!);

        var (_, slice) = await _api.SendAsync(HttpMethod.Get, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes");
        Assert.Equal("kubernetes", (string)slice!["metadata"]!["labels"]!["kubernetes.io/service-name"]!);
        Assert.Equal("IPv4", (string)slice["addressType"]!);
        Assert.Equal("127.0.0.1", (string)slice["endpoints"]![0]!["addresses"]![0]!);
        Assert.True((bool)slice["endpoints"]![0]!["conditions"]!["ready"]!);
    }

    [Fact]
    public async Task TheKubeDnsService_IsAtTheClusterDnsIp_WithCoreDnsLabelsAndDnsPorts()
    {
        var (code, svc) = await _api.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/services/kube-dns");
        Assert.Equal(200, code);
        Assert.Equal("10.43.0.10", (string)svc!["spec"]!["clusterIP"]!);
        Assert.Equal("kube-dns", (string)svc["metadata"]!["labels"]!["k8s-app"]!);
        Assert.Equal("CoreDNS", (string)svc["metadata"]!["labels"]!["kubernetes.io/name"]!);
        var ports = svc["spec"]!["ports"]!.AsArray().Select(p => $"{p!["name"]}/{p["port"]}/{p["protocol"]}").ToList();
        Assert.Equal(["dns/53/UDP", "dns-tcp/53/TCP", "metrics/9153/TCP"], ports);
        Assert.Null(svc["spec"]!["selector"]);
    }
}
