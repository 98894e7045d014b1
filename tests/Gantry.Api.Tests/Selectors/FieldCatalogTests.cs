using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Xunit;

namespace Gantry.Api.Tests.Selectors;

public sealed class FieldCatalogTests
{
    private static ResourceDefinition Resource(string group, string plural) =>
        BuiltInResources.All.Single(r => r.Group == group && r.Plural == plural);

    private static bool Selects(string group, string plural, string selector, string json) =>
        FieldCatalog.Matcher(Resource(group, plural), FieldSelector.Parse(selector))(JsonNode.Parse(json)!.AsObject());

    private const string Pod = """
        {"metadata":{"name":"web-1","namespace":"default"},
         "spec":{"nodeName":"node-1","restartPolicy":"Always","schedulerName":"default-scheduler","serviceAccountName":"default"},
         "status":{"phase":"Running","podIP":"10.0.0.5","podIPs":[{"ip":"10.0.0.5"},{"ip":"fd00::5"}]}}
        """;

    [Fact]
    public void Pods_SupportKubernetesFields()
    {
        Assert.Equal(
            ["metadata.name", "metadata.namespace", "spec.host", "spec.hostNetwork", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
             "spec.serviceAccountName", "status.nominatedNodeName", "status.phase", "status.podIP", "status.podIPs"],
            FieldCatalog.For(Resource("", "pods")).Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("spec.nodeName=node-1", true)]
    [InlineData("spec.host=node-1", true)]
    [InlineData("spec.nodeName=node-2", false)]
    [InlineData("metadata.namespace=default,metadata.name=web-1", true)]
    [InlineData("status.phase!=Running", false)]
    [InlineData("status.podIP=10.0.0.5", true)]
    [InlineData("spec.hostNetwork=false", true)]
    [InlineData("spec.restartPolicy=Always,spec.schedulerName=default-scheduler,spec.serviceAccountName=default", true)]
    [InlineData("status.nominatedNodeName=", true)]
    public void PodFields_ReadTheObject(string selector, bool expected) =>
        Assert.Equal(expected, Selects("", "pods", selector, Pod));

    [Theory]
    [InlineData("", "pods", "spec.foo=1", "field label not supported: spec.foo")]
    [InlineData("", "nodes", "metadata.namespace=x", "field label not supported: metadata.namespace")]
    [InlineData("", "configmaps", "data.x=1", "\"data.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")]
    [InlineData("apps", "replicasets", "status.replicas=1", "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")]
    [InlineData("batch", "jobs", "status.active=1", "field label \"status.active\" not supported for Job")]
    [InlineData("events.k8s.io", "events", "involvedObject.name=x", "field label not supported: involvedObject.name")]
    public void UnsupportedField_IsBadRequestWorededPerKind(string group, string plural, string selector, string message)
    {
        var e = Assert.Throws<ApiException>(() => FieldCatalog.Matcher(Resource(group, plural), FieldSelector.Parse(selector)));
        Assert.Equal(400, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void OtherKinds_SelectByNameAndNamespace()
    {
        Assert.True(Selects("", "configmaps", "metadata.name=cfg", """{"metadata":{"name":"cfg","namespace":"ns"}}"""));
        Assert.False(Selects("", "configmaps", "metadata.namespace=other", """{"metadata":{"name":"cfg","namespace":"ns"}}"""));
    }

    [Fact]
    public void KindSpecificFields_ReadTheirValues()
    {
        Assert.True(Selects("", "nodes", "spec.unschedulable=true", """{"metadata":{"name":"n"},"spec":{"unschedulable":true}}"""));
        Assert.True(Selects("", "nodes", "spec.unschedulable=false", """{"metadata":{"name":"n"}}"""));
        Assert.True(Selects("", "namespaces", "status.phase=Terminating", """{"metadata":{"name":"ns"},"status":{"phase":"Terminating"}}"""));
        Assert.True(Selects("", "secrets", "type=kubernetes.io/tls", """{"metadata":{"name":"s"},"type":"kubernetes.io/tls"}"""));
        Assert.True(Selects("", "services", "spec.type=ClusterIP,spec.clusterIP=None", """{"metadata":{"name":"s"},"spec":{"type":"ClusterIP","clusterIP":"None"}}"""));
        Assert.True(Selects("", "replicationcontrollers", "status.replicas=0", """{"metadata":{"name":"rc"}}"""));
        Assert.True(Selects("batch", "jobs", "status.successful=2", """{"metadata":{"name":"j"},"status":{"succeeded":2}}"""));
    }

    [Fact]
    public void EventFields_ReadCoreAndNewApiShapes()
    {
        const string core = """
            {"metadata":{"name":"e"},"involvedObject":{"kind":"Pod","name":"web-1","namespace":"default","uid":"u1"},
             "reason":"Pulled","type":"Normal","source":{"component":"kubelet"},"reportingComponent":"kubelet"}
            """;
        Assert.True(Selects("", "events", "involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.uid=u1,reason=Pulled,type=Normal", core));
        Assert.True(Selects("", "events", "source=kubelet,reportingComponent=kubelet", core));
        Assert.True(Selects("", "events", "source=scheduler", """{"metadata":{"name":"e"},"reportingComponent":"scheduler"}"""));

        const string newApi = """{"metadata":{"name":"e"},"regarding":{"kind":"Node","name":"n1"},"reportingController":"kubelet","reason":"Starting"}""";
        Assert.True(Selects("events.k8s.io", "events", "regarding.kind=Node,regarding.name=n1,reportingController=kubelet,reason=Starting", newApi));
        Assert.True(Selects("events.k8s.io", "events", "regarding.name=n1", core.Replace("web-1", "n1")));
        Assert.True(Selects("events.k8s.io", "events", "source=kubelet", newApi));
    }

    [Fact]
    public void EmptySelector_MatchesEverythingWithoutChecks() =>
        Assert.True(FieldCatalog.Matcher(Resource("", "pods"), FieldSelector.Everything)(new JsonObject()));
}
