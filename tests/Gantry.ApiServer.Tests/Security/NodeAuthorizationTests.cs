using Gantry.ApiServer.Proxy;

namespace Gantry.ApiServer.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class NodeAuthorizationTests(SecurityFixture fixture)
{
    private HttpClient NodeClient(string node) => fixture.Client(certificate: KubeletCertificates.IssueNodeClient(fixture.Ca, node));

    private static string Node(string name) => $$"""{"apiVersion":"v1","kind":"Node","metadata":{"name":"{{name}}","labels":{"kubernetes.io/hostname":"{{name}}"} } }""";

    [Fact]
    public async Task Node_MayRegisterAndUpdateItsOwnStatusButNotAnothers()
    {
        var mine = "auth-node-" + Guid.NewGuid().ToString("N")[..6];
        var theirs = mine + "-other";
        using var node = NodeClient(mine);
        Assert.Equal(201, (await SecurityFixture.SendAsync(node, HttpMethod.Post, "/api/v1/nodes", Node(mine))).Code);
        var (created, refused) = await SecurityFixture.SendAsync(node, HttpMethod.Post, "/api/v1/nodes", Node(theirs));
        Assert.Equal(403, created);
        Assert.Equal($"nodes \"{theirs}\" is forbidden: node \"{mine}\" is not allowed to modify node \"{theirs}\"", (string?)refused!["message"]);
        Assert.Equal(201, (await fixture.Admin.SendAsync(HttpMethod.Post, "/api/v1/nodes", Node(theirs))).Code);
        const string patch = """{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""";
        Assert.Equal(200, (await SecurityFixture.SendAsync(node, HttpMethod.Patch, $"/api/v1/nodes/{mine}/status", patch, "application/merge-patch+json")).Code);
        var (other, status) = await SecurityFixture.SendAsync(node, HttpMethod.Patch, $"/api/v1/nodes/{theirs}/status", patch, "application/merge-patch+json");
        Assert.Equal(403, other);
        Assert.Equal($"nodes \"{theirs}\" is forbidden: node \"{mine}\" is not allowed to modify node \"{theirs}\"", (string?)status!["message"]);
        Assert.Equal(200, (await SecurityFixture.SendAsync(node, HttpMethod.Get, $"/api/v1/nodes/{theirs}")).Code);
    }

    [Fact]
    public async Task Node_MayNotSetRestrictedLabelsOrChangeItsTaints()
    {
        var mine = "auth-node-" + Guid.NewGuid().ToString("N")[..6];
        using var node = NodeClient(mine);
        Assert.Equal(201, (await SecurityFixture.SendAsync(node, HttpMethod.Post, "/api/v1/nodes", Node(mine))).Code);
        var (labelled, status) = await SecurityFixture.SendAsync(node, HttpMethod.Patch, $"/api/v1/nodes/{mine}",
            """{"metadata":{"labels":{"node-restriction.kubernetes.io/pool":"gpu"}}}""", "application/merge-patch+json");
        Assert.Equal(403, labelled);
        Assert.Contains("is not allowed to modify labels: node-restriction.kubernetes.io/pool", (string?)status!["message"]);
        Assert.Equal(200, (await SecurityFixture.SendAsync(node, HttpMethod.Patch, $"/api/v1/nodes/{mine}",
            """{"metadata":{"labels":{"example.com/rack":"r1"}}}""", "application/merge-patch+json")).Code);
        var (tainted, taintStatus) = await SecurityFixture.SendAsync(node, HttpMethod.Patch, $"/api/v1/nodes/{mine}",
            """{"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}""", "application/merge-patch+json");
        Assert.Equal(403, tainted);
        Assert.EndsWith("is not allowed to modify taints", (string?)taintStatus!["message"]);
    }

    [Fact]
    public async Task Node_MayReadASecretOnlyOnceAPodBoundToItReferencesIt()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("nodeauthz");
        var mine = "auth-node-" + Guid.NewGuid().ToString("N")[..6];
        using var node = NodeClient(mine);
        using var stranger = NodeClient(mine + "-x");
        Assert.Equal(201, (await fixture.Admin.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/secrets", """{"metadata":{"name":"db"},"stringData":{"p":"w"}}""")).Code);
        Assert.Equal(201, (await fixture.Admin.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"settings"},"data":{"a":"b"}}""")).Code);
        var (before, status) = await SecurityFixture.SendAsync(node, HttpMethod.Get, $"/api/v1/namespaces/{ns}/secrets/db");
        Assert.Equal(403, before);
        Assert.Equal($"secrets \"db\" is forbidden: User \"system:node:{mine}\" cannot get resource \"secrets\" in API group \"\" in the namespace \"{ns}\": "
            + $"no relationship found between node '{mine}' and this object", (string?)status!["message"]);
        Assert.Equal(201, (await fixture.Admin.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", $$"""
            {"metadata":{"name":"app"},"spec":{"nodeName":"{{mine}}","containers":[{"name":"c","image":"busybox",
              "envFrom":[{"configMapRef":{"name":"settings"} }]}],
              "volumes":[{"name":"s","secret":{"secretName":"db"} }]} }
            """)).Code);
        await SecurityFixture.EventuallyAsync(async () => (await SecurityFixture.SendAsync(node, HttpMethod.Get, $"/api/v1/namespaces/{ns}/secrets/db")).Code == 200,
            "the node may read the secret of its pod");
        Assert.Equal(200, (await SecurityFixture.SendAsync(node, HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/settings")).Code);
        Assert.Equal(403, (await SecurityFixture.SendAsync(stranger, HttpMethod.Get, $"/api/v1/namespaces/{ns}/secrets/db")).Code);
        Assert.Equal(403, (await SecurityFixture.SendAsync(node, HttpMethod.Get, $"/api/v1/namespaces/{ns}/secrets")).Code);
        // Its pods' status and deletion are the node's; another node's are not.
        var (statusCode, refused) = await SecurityFixture.SendAsync(stranger, HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/app/status",
            """{"status":{"phase":"Running"}}""", "application/merge-patch+json");
        Assert.Equal(403, statusCode);
        Assert.Equal($"pods \"app\" is forbidden: node \"{mine}-x\" can only update pod status for pods with spec.nodeName set to itself", (string?)refused!["message"]);
        Assert.Equal(403, (await SecurityFixture.SendAsync(stranger, HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/app")).Code);
        Assert.Equal(200, (await SecurityFixture.SendAsync(node, HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/app/status",
            """{"status":{"phase":"Running"}}""", "application/merge-patch+json")).Code);
        // Tokens only for its pods' service account (the "default" account appears once the controller made it).
        const string tokenRequest = """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}""";
        await SecurityFixture.EventuallyAsync(async () => (await SecurityFixture.SendAsync(node, HttpMethod.Post,
            $"/api/v1/namespaces/{ns}/serviceaccounts/default/token", tokenRequest)).Code == 201, "the node gets a token for its pod's account");
        Assert.Equal(403, (await SecurityFixture.SendAsync(stranger, HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts/default/token", tokenRequest)).Code);
    }

    [Fact]
    public async Task Node_MayUseOnlyItsOwnLease()
    {
        var mine = "auth-node-" + Guid.NewGuid().ToString("N")[..6];
        using var node = NodeClient(mine);
        string Lease(string name) => $$"""{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"{{name}}"},"spec":{"holderIdentity":"{{name}}"} }""";
        Assert.Equal(201, (await SecurityFixture.SendAsync(node, HttpMethod.Post, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", Lease(mine))).Code);
        Assert.Equal(403, (await SecurityFixture.SendAsync(node, HttpMethod.Post, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", Lease(mine + "-y"))).Code);
        Assert.Equal(403, (await SecurityFixture.SendAsync(node, HttpMethod.Get, "/apis/coordination.k8s.io/v1/namespaces/default/leases/" + mine)).Code);
        Assert.Equal(200, (await SecurityFixture.SendAsync(node, HttpMethod.Get, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/" + mine)).Code);
    }

    [Fact]
    public async Task Node_ReadsWhatItsServiceProxyAndDnsNeed()
    {
        using var node = NodeClient("auth-node-reader");
        foreach (var path in (string[])["/api/v1/services", "/apis/discovery.k8s.io/v1/endpointslices", "/api/v1/namespaces", "/api/v1/nodes",
            "/api/v1/pods?fieldSelector=spec.nodeName%3Dauth-node-reader", "/apis/storage.k8s.io/v1/storageclasses", "/api/v1/persistentvolumeclaims"])
            Assert.True((await SecurityFixture.SendAsync(node, HttpMethod.Get, path)).Code == 200, path);
        Assert.Equal(403, (await SecurityFixture.SendAsync(node, HttpMethod.Get, "/apis/apps/v1/deployments")).Code);
    }
}
