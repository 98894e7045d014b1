using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class AuthorizationTests(SecurityFixture fixture)
{
    [Fact]
    public async Task BootstrapRolesAndBindings_ArePresentAndAutoUpdated()
    {
        var (_, roles) = await fixture.Admin.SendAsync(HttpMethod.Get, "/apis/rbac.authorization.k8s.io/v1/clusterroles");
        var names = roles!["items"]!.AsArray().Select(r => (string?)r!["metadata"]!["name"]).ToHashSet();
        foreach (var name in (string[])["cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user", "system:public-info-viewer",
            "system:node", "system:node-proxier", "gantry:cluster-dns", "gantry:local-path-provisioner"])
            Assert.Contains(name, names);
        var (_, binding) = await fixture.Admin.SendAsync(HttpMethod.Get, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin");
        Assert.Equal("true", (string?)binding!["metadata"]!["annotations"]!["rbac.authorization.kubernetes.io/autoupdate"]);
        Assert.Equal("system:masters", (string?)binding["subjects"]![0]!["name"]);
    }

    [Fact]
    public async Task ServiceAccount_WithoutBindings_IsForbiddenInKubernetesWords()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("authz");
        using var http = fixture.Client(await fixture.ServiceAccountTokenAsync(ns, "nobody"));
        var (code, status) = await SecurityFixture.SendAsync(http, HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods");
        Assert.Equal(403, code);
        Assert.Equal("Forbidden", (string?)status!["reason"]);
        Assert.Equal($"pods is forbidden: User \"system:serviceaccount:{ns}:nobody\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"",
            (string?)status["message"]);
        Assert.Equal("pods", (string?)status["details"]!["kind"]);
        var (named, deployment) = await SecurityFixture.SendAsync(http, HttpMethod.Get, $"/apis/apps/v1/namespaces/{ns}/deployments/web");
        Assert.Equal(403, named);
        Assert.Equal($"deployments.apps \"web\" is forbidden: User \"system:serviceaccount:{ns}:nobody\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"{ns}\"",
            (string?)deployment!["message"]);
        Assert.Equal("apps", (string?)deployment["details"]!["group"]);
        Assert.Equal("web", (string?)deployment["details"]!["name"]);
        var (nodes, clusterScoped) = await SecurityFixture.SendAsync(http, HttpMethod.Get, "/api/v1/nodes");
        Assert.Equal(403, nodes);
        Assert.EndsWith("cannot list resource \"nodes\" in API group \"\" at the cluster scope", (string?)clusterScoped!["message"]);
        // Discovery is everyone's (system:discovery, system:public-info-viewer).
        Assert.Equal(200, (await SecurityFixture.SendAsync(http, HttpMethod.Get, "/api")).Code);
        Assert.Equal(200, (await SecurityFixture.SendAsync(http, HttpMethod.Get, "/version")).Code);
    }

    [Fact]
    public async Task RoleBinding_GrantsItsRoleOnlyInItsNamespace()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("authz");
        var other = await fixture.Admin.CreateNamespaceAsync("authz");
        using var http = fixture.Client(await fixture.ServiceAccountTokenAsync(ns, "viewer"));
        await BindAsync(ns, "view", "viewer");
        await SecurityFixture.EventuallyAsync(async () => (await SecurityFixture.SendAsync(http, HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods")).Code == 200,
            "the binding is in effect");
        Assert.Equal(403, (await SecurityFixture.SendAsync(http, HttpMethod.Get, $"/api/v1/namespaces/{other}/pods")).Code);
        Assert.Equal(403, (await SecurityFixture.SendAsync(http, HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""")).Code);
        Assert.Equal(403, (await SecurityFixture.SendAsync(http, HttpMethod.Get, $"/api/v1/namespaces/{ns}/secrets")).Code);
    }

    [Fact]
    public async Task AuthCanI_AnswersTruthfullyForImpersonatedAndTokenUsers()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("authz");
        var token = await fixture.ServiceAccountTokenAsync(ns, "editor");
        var k = fixture.Kubectl;
        var subject = $"--as=system:serviceaccount:{ns}:editor";
        Assert.Equal("no\n", (await k.RunAsync(["auth", "can-i", "list", "pods", "-n", ns, subject])).Stdout);
        var withToken = (string[])["--token", token, "--kubeconfig", "/dev/null", "--server", fixture.Server.Url, "--insecure-skip-tls-verify"];
        Assert.Equal("no\n", (await k.RunAsync(["auth", "can-i", "create", "deployments", "-n", ns, .. withToken])).Stdout);
        await BindAsync(ns, "edit", "editor");
        await SecurityFixture.EventuallyAsync(async () => (await k.RunAsync(["auth", "can-i", "list", "pods", "-n", ns, subject])).Stdout == "yes\n",
            "can-i says yes");
        Assert.Equal("yes\n", (await k.RunAsync(["auth", "can-i", "create", "deployments", "-n", ns, .. withToken])).Stdout);
        Assert.Equal("no\n", (await k.RunAsync(["auth", "can-i", "create", "roles", "-n", ns, .. withToken])).Stdout);
        Assert.Equal("no\n", (await k.RunAsync(["auth", "can-i", "list", "pods", "-n", "default", .. withToken])).Stdout);
        var list = (await k.RunAsync(["auth", "can-i", "--list", "-n", ns, .. withToken])).Ok();
        Assert.Contains("deployments.apps", list);
        var whoami = (await k.RunAsync(["auth", "whoami", .. withToken])).Ok();
        Assert.Contains($"system:serviceaccount:{ns}:editor", whoami);
    }

    [Fact]
    public async Task Impersonation_ByAUserWithoutTheImpersonateVerb_IsForbidden()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("authz");
        using var http = fixture.Client(await fixture.ServiceAccountTokenAsync(ns, "plain"));
        http.DefaultRequestHeaders.Add("Impersonate-User", "system:admin");
        http.DefaultRequestHeaders.Add("Impersonate-Group", "system:masters");
        var (code, status) = await SecurityFixture.SendAsync(http, HttpMethod.Get, "/api/v1/nodes");
        Assert.Equal(403, code);
        Assert.Equal($"users \"system:admin\" is forbidden: User \"system:serviceaccount:{ns}:plain\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
            (string?)status!["message"]);
    }

    [Fact]
    public async Task SubjectAccessReview_AnswersForTheNamedSubject()
    {
        var review = new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SubjectAccessReview",
            ["spec"] = new JsonObject
            {
                ["user"] = "someone",
                ["groups"] = new JsonArray("system:authenticated"),
                ["resourceAttributes"] = new JsonObject { ["verb"] = "list", ["resource"] = "pods", ["namespace"] = "default" },
            },
        };
        var (code, body) = await fixture.Admin.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/subjectaccessreviews", review.ToJsonString());
        Assert.Equal(201, code);
        Assert.False((bool)body!["status"]!["allowed"]!);
        review["spec"]!["groups"] = new JsonArray("system:masters");
        (_, body) = await fixture.Admin.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/subjectaccessreviews", review.ToJsonString());
        Assert.True((bool)body!["status"]!["allowed"]!);
    }

    [Fact]
    public async Task NamespaceAdmin_MayGrantOnlyWhatItHolds()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("escalate");
        using var http = fixture.Client(await fixture.ServiceAccountTokenAsync(ns, "owner"));
        await BindAsync(ns, "admin", "owner");
        string Binding(string name, string role) => $$"""
            {"metadata":{"name":"{{name}}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{{role}}"},
             "subjects":[{"kind":"ServiceAccount","name":"owner","namespace":"{{ns}}"}]}
            """;
        await SecurityFixture.EventuallyAsync(async () => (await SecurityFixture.SendAsync(http, HttpMethod.Post,
            $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings", Binding("also-view", "view"))).Code == 201, "the admin may bind view");
        var (code, status) = await SecurityFixture.SendAsync(http, HttpMethod.Post, $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
            Binding("takeover", "cluster-admin"));
        Assert.Equal(403, code);
        Assert.StartsWith($"rolebindings.rbac.authorization.k8s.io \"takeover\" is forbidden: user \"system:serviceaccount:{ns}:owner\" (groups=[",
            (string?)status!["message"]);
        Assert.Contains("is attempting to grant RBAC permissions not currently held:", (string?)status["message"]);
        const string nodesRole = """{"metadata":{"name":"nodes"},"rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["get"]}]}""";
        Assert.Equal(403, (await SecurityFixture.SendAsync(http, HttpMethod.Post, $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles", nodesRole)).Code);
        const string podsRole = """{"metadata":{"name":"pods"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}]}""";
        Assert.Equal(201, (await SecurityFixture.SendAsync(http, HttpMethod.Post, $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles", podsRole)).Code);
    }

    private async Task BindAsync(string ns, string clusterRole, string serviceAccount)
    {
        var (code, _) = await fixture.Admin.SendAsync(HttpMethod.Post, $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings", $$"""
            {"metadata":{"name":"{{serviceAccount}}-{{clusterRole}}"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{{clusterRole}}"},
             "subjects":[{"kind":"ServiceAccount","name":"{{serviceAccount}}","namespace":"{{ns}}"}]}
            """);
        Assert.Equal(201, code);
    }
}
