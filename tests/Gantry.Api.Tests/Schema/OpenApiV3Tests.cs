using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.Api.Schema;

namespace Gantry.Api.Tests.Schema;

public sealed class OpenApiV3Tests
{
    private static JsonObject Doc(string path) => JsonNode.Parse(OpenApiV3.Document(path)!)!.AsObject();

    private static JsonObject Schemas(string path) => Doc(path)["components"]!["schemas"]!.AsObject();

    [Fact]
    public void Index_ListsEveryServedGroupVersionWithItsHash()
    {
        var paths = OpenApiV3.Index()["paths"]!.AsObject();
        foreach (var (group, version) in ResourceRegistry.BuiltIn.GroupVersions)
        {
            var path = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
            var url = paths[path]!["serverRelativeURL"]!.GetValue<string>();
            Assert.Equal($"/openapi/v3/{path}?hash={OpenApiV3.Hash(path)}", url);
            Assert.Equal(128, OpenApiV3.Hash(path)!.Length);
        }
        Assert.Equal(ResourceRegistry.BuiltIn.GroupVersions.Count, paths.Count);
    }

    [Fact]
    public void Document_OfUnservedGroupVersion_IsNull() => Assert.Null(OpenApiV3.Document("apis/nope/v1"));

    [Fact]
    public void Document_IsComputedOnce() => Assert.Same(OpenApiV3.Document("api/v1"), OpenApiV3.Document("/api/v1/"));

    [Fact]
    public void AppsDocument_DeploymentCreate_CarriesKindAndFieldValidation()
    {
        var doc = Doc("apis/apps/v1");
        Assert.Equal("3.0.0", doc["openapi"]!.GetValue<string>());
        var post = doc["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments"]!["post"]!;
        Assert.Equal("createAppsV1NamespacedDeployment", post["operationId"]!.GetValue<string>());
        Assert.Equal("post", post["x-kubernetes-action"]!.GetValue<string>());
        var gvk = post["x-kubernetes-group-version-kind"]!;
        Assert.Equal(("apps", "v1", "Deployment"), (gvk["group"]!.GetValue<string>(), gvk["version"]!.GetValue<string>(), gvk["kind"]!.GetValue<string>()));
        var names = post["parameters"]!.AsArray().Select(p => (p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>())).ToList();
        Assert.Contains(("fieldValidation", "query"), names);
        Assert.Contains(("dryRun", "query"), names);
        Assert.Equal("#/components/schemas/io.k8s.api.apps.v1.Deployment",
            post["requestBody"]!["content"]!["*/*"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void AppsDocument_DeploymentPatch_HasTheParametersKubectlChecks()
    {
        var patch = Doc("apis/apps/v1")["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        var names = patch["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["dryRun", "fieldManager", "fieldValidation", "force"], names);
        Assert.Equal("Deployment", patch["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
        Assert.NotNull(patch["requestBody"]!["content"]!["application/strategic-merge-patch+json"]);
    }

    [Fact]
    public void CoreDocument_HasCollectionObjectSubresourceAndAllNamespacesPaths()
    {
        var paths = Doc("api/v1")["paths"]!.AsObject();
        Assert.NotNull(paths["/api/v1/namespaces/{namespace}/pods"]!["get"]);
        Assert.NotNull(paths["/api/v1/namespaces/{namespace}/pods/{name}"]!["delete"]);
        Assert.NotNull(paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]!["patch"]);
        Assert.Equal("listCoreV1PodForAllNamespaces", paths["/api/v1/pods"]!["get"]!["operationId"]!.GetValue<string>());
        Assert.Equal("readCoreV1Node", paths["/api/v1/nodes/{name}"]!["get"]!["operationId"]!.GetValue<string>());
        Assert.Null(paths["/api/v1/namespaces/{namespace}/nodes"]);
        Assert.Equal("Binding", paths["/api/v1/namespaces/{namespace}/pods/{name}/binding"]!["post"]!["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
        Assert.Equal("connect", paths["/api/v1/namespaces/{namespace}/pods/{name}/exec"]!["post"]!["x-kubernetes-action"]!.GetValue<string>());
    }

    [Fact]
    public void ScaleSubresource_UsesAutoscalingScale()
    {
        var doc = Doc("apis/apps/v1");
        var put = doc["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!["put"]!;
        Assert.Equal("autoscaling", put["x-kubernetes-group-version-kind"]!["group"]!.GetValue<string>());
        Assert.NotNull(doc["components"]!["schemas"]!["io.k8s.api.autoscaling.v1.Scale"]);
    }

    [Fact]
    public void Components_DeploymentHasKindAndDescribedFields()
    {
        var schemas = Schemas("apis/apps/v1");
        var deployment = schemas["io.k8s.api.apps.v1.Deployment"]!;
        var gvk = deployment["x-kubernetes-group-version-kind"]!.AsArray().Single()!;
        Assert.Equal("apps", gvk["group"]!.GetValue<string>());
        Assert.Equal("Deployment", gvk["kind"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            deployment["properties"]!["metadata"]!["allOf"]![0]!["$ref"]!.GetValue<string>());
        Assert.Contains("Deployment", deployment["description"]!.GetValue<string>());
        // Reached from Deployment, but Kubernetes defines the pod template in core/v1.
        Assert.NotNull(schemas["io.k8s.api.core.v1.PodTemplateSpec"]);
        Assert.NotNull(schemas["io.k8s.api.apps.v1.DeploymentSpec"]);
        Assert.Equal(["selector", "template"], schemas["io.k8s.api.apps.v1.DeploymentSpec"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void Components_SpecialTypesLookLikeKubernetes()
    {
        var schemas = Schemas("api/v1");
        Assert.Equal("string", schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["type"]!.GetValue<string>());
        Assert.Equal("int-or-string", schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"]!.GetValue<string>());
        Assert.Equal("date-time", schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]!["format"]!.GetValue<string>());
        var labels = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]!["properties"]!["labels"]!;
        Assert.Equal("string", labels["additionalProperties"]!["type"]!.GetValue<string>());
        Assert.Equal("object", labels["type"]!.GetValue<string>());
        var patch = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Patch"]!.AsObject();
        Assert.Equal("object", patch["type"]!.GetValue<string>());
        Assert.False(patch.ContainsKey("properties"));
    }

    [Fact]
    public void Components_ContainersCarryListAndPatchFacts()
    {
        var containers = Schemas("api/v1")["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Equal("array", containers["type"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", containers["items"]!["allOf"]![0]!["$ref"]!.GetValue<string>());
        Assert.Equal("name", containers["x-kubernetes-patch-merge-key"]!.GetValue<string>());
        Assert.Equal("merge", containers["x-kubernetes-patch-strategy"]!.GetValue<string>());
        Assert.Equal("map", containers["x-kubernetes-list-type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(containers["description"]?.GetValue<string>()));
    }

    [Fact]
    public void EveryReferenceResolvesWithinItsDocument()
    {
        foreach (var path in OpenApiV3.Index()["paths"]!.AsObject().Select(p => p.Key))
        {
            var text = System.Text.Encoding.UTF8.GetString(OpenApiV3.Document(path)!);
            var schemas = Schemas(path);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "#/components/schemas/([^\"]+)"))
                Assert.True(schemas.ContainsKey(m.Groups[1].Value), $"{path}: {m.Groups[1].Value}");
        }
    }

    [Fact]
    public void EveryKindHasASchemaWithItsGroupVersionKind()
    {
        foreach (var r in ResourceRegistry.BuiltIn.Resources)
        {
            var path = r.Group.Length == 0 ? $"api/{r.Version}" : $"apis/{r.Group}/{r.Version}";
            var match = Schemas(path).Where(s => s.Value!["x-kubernetes-group-version-kind"] is JsonArray a && a.Any(g =>
                g!["group"]!.GetValue<string>() == r.Group && g["version"]!.GetValue<string>() == r.Version && g["kind"]!.GetValue<string>() == r.Kind));
            Assert.True(match.Any(), $"{r.ApiVersion} {r.Kind}");
        }
    }

    [Fact]
    public void EventsDocument_UsesEventsGroupEvent()
    {
        var schemas = Schemas("apis/events.k8s.io/v1");
        Assert.NotNull(schemas["io.k8s.api.events.v1.Event"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
            schemas["io.k8s.api.events.v1.Event"]!["properties"]!["eventTime"]!["allOf"]![0]!["$ref"]!.GetValue<string>());
    }
}
