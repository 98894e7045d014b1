using Gantry.ApiServer.Http;

namespace Gantry.ApiServer.Tests.Unit;

public sealed class RequestInfoParserTests
{
    [Theory]
    [InlineData("POST", "/api/v1/namespaces/ns1/configmaps", "", "v1", "ns1", "configmaps", null, null, "create")]
    [InlineData("GET", "/api/v1/namespaces/ns1/configmaps/cm", "", "v1", "ns1", "configmaps", "cm", null, "get")]
    [InlineData("GET", "/api/v1/namespaces/ns1", "", "v1", null, "namespaces", "ns1", null, "get")]
    [InlineData("PUT", "/api/v1/namespaces/ns1/finalize", "", "v1", null, "namespaces", "ns1", "finalize", "update")]
    [InlineData("GET", "/api/v1/namespaces", "", "v1", null, "namespaces", null, null, "list")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/ns1/deployments/d/status", "apps", "v1", "ns1", "deployments", "d", "status", "patch")]
    [InlineData("GET", "/apis/apps/v1/watch/namespaces/ns1/deployments/d", "apps", "v1", "ns1", "deployments", "d", null, "watch")]
    [InlineData("DELETE", "/apis/batch/v1/namespaces/ns1/jobs/", "batch", "v1", "ns1", "jobs", null, null, "deletecollection")]
    [InlineData("GET", "/api/v1/nodes/n1/proxy", "", "v1", null, "nodes", "n1", "proxy", "get")]
    public void Parse_ReadsResourcePaths(string method, string path, string group, string version, string? ns, string resource,
        string? name, string? subresource, string verb)
    {
        var info = RequestInfoParser.Parse(method, path, watchQuery: false);

        Assert.Equal(new RequestInfo { Group = group, Version = version, Namespace = ns, Resource = resource, Name = name, Subresource = subresource, Verb = verb }, info);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api")]
    [InlineData("/api/v1")]
    [InlineData("/apis/apps/v1")]
    [InlineData("/api/v1/watch")]
    [InlineData("/api/v1/namespaces//configmaps")]
    [InlineData("/api/v1/namespaces/ns1/configmaps/cm/status/extra")]
    [InlineData("/apis/g/v/watch/namespaces/ns/r/name/sub/more/and/more")]
    [InlineData("/version")]
    public void Parse_ReturnsNull_ForPathsThatAreNotResources(string path) =>
        Assert.Null(RequestInfoParser.Parse("GET", path, watchQuery: false));

    [Fact]
    public void Parse_ListWithWatchQuery_IsAWatch() =>
        Assert.Equal("watch", RequestInfoParser.Parse("GET", "/api/v1/pods", watchQuery: true)!.Verb);
}
