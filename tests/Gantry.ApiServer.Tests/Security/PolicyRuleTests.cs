using Gantry.ApiServer.Security.Authentication;
using Gantry.ApiServer.Security.Authorization;

namespace Gantry.ApiServer.Tests.Security;

public sealed class PolicyRuleTests
{
    private static readonly UserInfo Someone = new("someone", []);

    private static AccessAttributes Request(string verb, string resource, string subresource = "", string group = "", string name = "") =>
        new() { User = Someone, Verb = verb, Resource = resource, Subresource = subresource, Group = group, Name = name };

    [Fact]
    public void Resource_MatchesOnlyTheResourceItself_NotItsSubresources()
    {
        var rule = new PolicyRule(["get", "update"], [""], ["pods"]);
        Assert.True(rule.Allows(Request("get", "pods")));
        Assert.False(rule.Allows(Request("update", "pods", "status")));
        Assert.False(rule.Allows(Request("get", "pods", group: "apps")));
        Assert.False(rule.Allows(Request("delete", "pods")));
    }

    [Fact]
    public void SubresourceForms_MatchTheSubresource()
    {
        Assert.True(new PolicyRule(["update"], [""], ["pods/status"]).Allows(Request("update", "pods", "status")));
        Assert.True(new PolicyRule(["update"], [""], ["*/status"]).Allows(Request("update", "nodes", "status")));
        Assert.False(new PolicyRule(["update"], [""], ["*/status"]).Allows(Request("update", "nodes")));
        Assert.True(new PolicyRule(["*"], ["*"], ["*"]).Allows(Request("create", "deployments", "scale", "apps")));
    }

    [Fact]
    public void ResourceNames_LimitTheRuleToNamedObjects()
    {
        var rule = new PolicyRule(["get"], [""], ["configmaps"], ["settings"]);
        Assert.True(rule.Allows(Request("get", "configmaps", name: "settings")));
        Assert.False(rule.Allows(Request("get", "configmaps", name: "other")));
        Assert.False(rule.Allows(Request("get", "configmaps")));
    }

    [Fact]
    public void NonResourceUrls_MatchExactlyOrByTrailingStarPrefix()
    {
        var rule = new PolicyRule(["get"], nonResourceUrls: ["/version", "/apis/*"]);
        AccessAttributes Path(string path) => new() { User = Someone, Verb = "get", IsResourceRequest = false, Path = path };
        Assert.True(rule.Allows(Path("/version")));
        Assert.True(rule.Allows(Path("/apis/apps/v1")));
        Assert.False(rule.Allows(Path("/version/x")));
        Assert.False(rule.Allows(Path("/api")));
        Assert.False(rule.Allows(Request("get", "pods")));
    }

    [Fact]
    public void Forbidden_IsWordedAsKubernetes()
    {
        var error = RequestAuthorizer.Forbidden(Request("update", "deployments", "scale", "apps", "web") with { Namespace = "prod" }, "");
        Assert.Equal(403, error.Code);
        Assert.Equal("deployments.apps \"web\" is forbidden: User \"someone\" cannot update resource \"deployments/scale\" in API group \"apps\" in the namespace \"prod\"",
            error.Message);
        var path = RequestAuthorizer.Forbidden(new AccessAttributes { User = Someone, Verb = "get", IsResourceRequest = false, Path = "/metrics" }, "");
        Assert.Equal("forbidden: User \"someone\" cannot get path \"/metrics\"", path.Message);
    }
}
