using System.Text.Json.Nodes;

namespace Gantry.Api.Tests.Strategies;

public sealed class CoreStrategyTests
{
    [Fact]
    public void Service_Create_FillsDefaults()
    {
        var service = Api.Valid("v1", "Service", """{"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}""");

        Assert.Equal("\"ClusterIP\"", Api.At(service, "spec.type"));
        Assert.Equal("\"None\"", Api.At(service, "spec.sessionAffinity"));
        Assert.Equal("""{"port":80,"protocol":"TCP","targetPort":80}""", Api.At(service, "spec.ports.0"));
        Assert.Equal("\"Cluster\"", Api.At(service, "spec.internalTrafficPolicy"));
        Assert.Equal("""{"loadBalancer":{}}""", Api.At(service, "status"));
    }

    [Fact]
    public void Service_Create_ForNodePort_DefaultsExternalTrafficPolicy()
    {
        var service = Api.Valid("v1", "Service", """{"metadata":{"name":"web"},"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":"http"}]}}""");

        Assert.Equal("\"Cluster\"", Api.At(service, "spec.externalTrafficPolicy"));
        Assert.Equal("\"http\"", Api.At(service, "spec.ports.0.targetPort"));
    }

    [Fact]
    public void Service_Create_KeepsClusterIpAndClusterIpsInStep()
    {
        var service = Api.Valid("v1", "Service", """{"metadata":{"name":"web"},"spec":{"clusterIP":"10.96.0.10","ports":[{"port":53}]}}""");

        Assert.Equal("""["10.96.0.10"]""", Api.At(service, "spec.clusterIPs"));
    }

    [Fact]
    public void Service_Update_ChangingTheClusterIp_IsRejected()
    {
        var service = Api.Valid("v1", "Service", """{"metadata":{"name":"web"},"spec":{"clusterIP":"10.96.0.10","ports":[{"port":80}]}}""");

        var (_, errors) = Api.Update("v1", "Service", service, s =>
        {
            s["spec"]!["clusterIP"] = "None";
            s["spec"]!.AsObject().Remove("clusterIPs");
        });

        Assert.Equal(["spec.clusterIPs[0]: Invalid value: []string{\"None\"}: may not change once set"], Api.Lines(errors));
    }

    [Fact]
    public void Service_Create_ReportsNamePortAndTypeErrors()
    {
        var (_, errors) = Api.Create("v1", "Service", """{"metadata":{"name":"1web"},"spec":{"type":"Magic","ports":[{"port":80},{"name":"a","port":0}]}}""");

        Assert.Equal(
        [
            "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            "spec.ports[0].name: Required value",
            "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Service_Create_WithoutPorts_IsRequiredUnlessHeadlessOrExternalName()
    {
        var (_, errors) = Api.Create("v1", "Service", """{"metadata":{"name":"web"},"spec":{}}""");
        Api.Valid("v1", "Service", """{"metadata":{"name":"web"},"spec":{"clusterIP":"None"}}""");
        Api.Valid("v1", "Service", """{"metadata":{"name":"web"},"spec":{"type":"ExternalName","externalName":"example.com"}}""");

        Assert.Equal(["spec.ports: Required value"], Api.Lines(errors));
    }

    [Fact]
    public void Service_Create_WithDuplicatePortNames_IsDuplicate()
    {
        var (_, errors) = Api.Create("v1", "Service", """{"metadata":{"name":"web"},"spec":{"ports":[{"name":"a","port":80},{"name":"a","port":81}]}}""");

        Assert.Equal(["spec.ports[1].name: Duplicate value: \"a\""], Api.Lines(errors));
    }

    [Fact]
    public void Namespace_Create_IsActiveWithFinalizerAndNameLabel()
    {
        var ns = Api.Valid("v1", "Namespace", """{"metadata":{"name":"team-a"}}""");

        Assert.Equal("""{"phase":"Active"}""", Api.At(ns, "status"));
        Assert.Equal("""["kubernetes"]""", Api.At(ns, "spec.finalizers"));
        Assert.Equal("""{"kubernetes.io/metadata.name":"team-a"}""", Api.At(ns, "metadata.labels"));
    }

    [Fact]
    public void Namespace_Update_KeepsFinalizersAndTheNameLabel()
    {
        var ns = Api.Valid("v1", "Namespace", """{"metadata":{"name":"team-a"}}""");

        var (updated, errors) = Api.Update("v1", "Namespace", ns, n =>
        {
            n["spec"]!["finalizers"] = new JsonArray();
            n["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
        });

        Assert.Empty(errors);
        Assert.Equal("""["kubernetes"]""", Api.At(updated, "spec.finalizers"));
        Assert.Equal("""{"x":"y","kubernetes.io/metadata.name":"team-a"}""", Api.At(updated, "metadata.labels"));
    }

    [Fact]
    public void ClusterScoped_Create_DropsANamespaceSentWithTheObject()
    {
        var (ns, errors) = Api.Create("v1", "Namespace", """{"metadata":{"name":"team-a","namespace":"default"}}""");

        Assert.Empty(errors);
        Assert.Equal("<absent>", Api.At(ns, "metadata.namespace"));
    }

    [Fact]
    public void Namespace_Create_WithSubdomainName_IsInvalid()
    {
        var (_, errors) = Api.Create("v1", "Namespace", """{"metadata":{"name":"a.b"}}""");

        Assert.Equal(["metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"],
            Api.Lines(errors));
    }

    [Fact]
    public void Secret_Create_DefaultsTypeAndFoldsStringData()
    {
        var secret = Api.Valid("v1", "Secret", """{"metadata":{"name":"s"},"data":{"a":"eA=="},"stringData":{"b":"y"}}""");

        Assert.Equal("\"Opaque\"", Api.At(secret, "type"));
        Assert.Equal("""{"a":"eA==","b":"eQ=="}""", Api.At(secret, "data"));
        Assert.Equal("<absent>", Api.At(secret, "stringData"));
    }

    [Fact]
    public void Secret_Create_ReportsKeyAndTypeErrors()
    {
        var (_, errors) = Api.Create("v1", "Secret", """{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"a b":"eA=="}}""");

        Assert.Equal(
        [
            "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            "data[tls.crt]: Required value",
            "data[tls.key]: Required value",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Secret_Update_OfAnImmutableSecret_IsForbidden()
    {
        var secret = Api.Valid("v1", "Secret", """{"metadata":{"name":"s"},"immutable":true,"data":{"a":"eA=="}}""");

        var (_, errors) = Api.Update("v1", "Secret", secret, s => s["data"]!["a"] = "eQ==");
        var (_, typeErrors) = Api.Update("v1", "Secret", secret, s => s["type"] = "kubernetes.io/basic-auth");

        Assert.Equal(["data: Forbidden: field is immutable when `immutable` is set"], Api.Lines(errors));
        Assert.Contains("type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable", Api.Lines(typeErrors));
    }

    [Fact]
    public void ConfigMap_Create_ReportsDuplicateKeysAndSize()
    {
        var big = new string('x', 1024 * 1024 + 1);
        var (_, errors) = Api.Create("v1", "ConfigMap", $$$"""{"metadata":{"name":"c"},"data":{"k":"{{{big}}}"},"binaryData":{"k":"eA=="}}""");

        Assert.Equal(
        [
            "data[k]: Invalid value: \"k\": duplicate of key present in binaryData",
            "binaryData[k]: Invalid value: \"k\": duplicate of key present in data",
            "[]: Too long: must have at most 1048576 bytes",
        ], Api.Lines(errors));
    }

    [Fact]
    public void ConfigMap_Update_OfAnImmutableConfigMap_IsForbidden()
    {
        var configMap = Api.Valid("v1", "ConfigMap", """{"metadata":{"name":"c"},"immutable":true,"data":{"a":"1"}}""");

        var (_, errors) = Api.Update("v1", "ConfigMap", configMap, c => c["immutable"] = false);

        Assert.Equal(["immutable: Forbidden: field is immutable when `immutable` is set"], Api.Lines(errors));
    }

    [Fact]
    public void ServiceAccount_Create_ValidatesOnlyMetadata()
    {
        var account = Api.Valid("v1", "ServiceAccount", """{"metadata":{"name":"builder"}}""");

        Assert.Equal("<absent>", Api.At(account, "metadata.generation"));
    }

    [Fact]
    public void Node_Create_KeepsStatusAndValidatesTaints()
    {
        var node = Api.Valid("v1", "Node", """{"metadata":{"name":"n1"},"spec":{"podCIDR":"10.244.0.0/24"},"status":{"capacity":{"cpu":"4"}}}""");
        var (_, errors) = Api.Create("v1", "Node", """{"metadata":{"name":"n1"},"spec":{"podCIDRs":["10.244.0.0/99"],"taints":[{"key":"k","effect":"Sometimes"}]}}""");

        Assert.Equal("""["10.244.0.0/24"]""", Api.At(node, "spec.podCIDRs"));
        Assert.Equal("""{"cpu":"4"}""", Api.At(node, "status.allocatable"));
        Assert.Equal(
        [
            "spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
            "spec.podCIDRs[0]: Invalid value: \"10.244.0.0/99\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
        ], Api.Lines(errors));
    }

    [Fact]
    public void PersistentVolume_Create_FillsDefaultsAndRequiresAccessModes()
    {
        var volume = Api.Valid("v1", "PersistentVolume", """{"metadata":{"name":"pv"},"spec":{"accessModes":["ReadWriteOnce"],"capacity":{"storage":"1Gi"},"hostPath":{"path":"/data"}}}""");
        var (_, errors) = Api.Create("v1", "PersistentVolume", """{"metadata":{"name":"pv"},"spec":{"capacity":{"storage":"1Gi"},"hostPath":{"path":"/data"}}}""");

        Assert.Equal("\"Retain\"", Api.At(volume, "spec.persistentVolumeReclaimPolicy"));
        Assert.Equal("\"Filesystem\"", Api.At(volume, "spec.volumeMode"));
        Assert.Equal("""{"phase":"Pending"}""", Api.At(volume, "status"));
        Assert.Equal(["spec.accessModes: Required value"], Api.Lines(errors));
    }

    [Fact]
    public void PersistentVolumeClaim_Create_RequiresAccessModesAndStorage()
    {
        var claim = Api.Valid("v1", "PersistentVolumeClaim", """{"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""");
        var (_, errors) = Api.Create("v1", "PersistentVolumeClaim", """{"metadata":{"name":"c"},"spec":{}}""");

        Assert.Equal("\"Filesystem\"", Api.At(claim, "spec.volumeMode"));
        Assert.Equal("""{"phase":"Pending"}""", Api.At(claim, "status"));
        Assert.Equal(["spec.accessModes: Required value: at least 1 access mode is required", "spec.resources[storage]: Required value"], Api.Lines(errors));
    }

    [Fact]
    public void PersistentVolumeClaim_Update_AllowsOnlyRequestsOfBoundClaims()
    {
        var claim = Api.Valid("v1", "PersistentVolumeClaim", """{"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""");
        var bound = claim.DeepClone().AsObject();
        bound["status"] = new JsonObject { ["phase"] = "Bound" };

        var (_, unboundErrors) = Api.Update("v1", "PersistentVolumeClaim", claim, c => c["spec"]!["resources"]!["requests"]!["storage"] = "2Gi");
        var (_, boundErrors) = Api.Update("v1", "PersistentVolumeClaim", bound, c => c["spec"]!["resources"]!["requests"]!["storage"] = "2Gi");
        var (_, modeErrors) = Api.Update("v1", "PersistentVolumeClaim", bound, c => c["spec"]!["accessModes"] = new JsonArray("ReadWriteMany"));

        Assert.Equal(["spec: Forbidden: spec is immutable after creation except resources.requests for bound claims"], Api.Lines(unboundErrors));
        Assert.Empty(boundErrors);
        Assert.Equal(["spec: Forbidden: spec is immutable after creation except resources.requests for bound claims"], Api.Lines(modeErrors));
    }

    [Fact]
    public void Endpoints_Create_DefaultsProtocolAndValidatesAddresses()
    {
        var endpoints = Api.Valid("v1", "Endpoints", """{"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]}""");
        var (_, errors) = Api.Create("v1", "Endpoints", """{"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"nope"}]},{}]}""");

        Assert.Equal("\"TCP\"", Api.At(endpoints, "subsets.0.ports.0.protocol"));
        Assert.Equal(
        [
            "subsets[0].addresses[0].ip: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Event_Create_ChecksTheInvolvedObjectNamespace()
    {
        Api.Valid("v1", "Event", """{"metadata":{"name":"web.1"},"involvedObject":{"kind":"Pod","name":"web","namespace":"default"},"reason":"Started"}""");
        var (_, errors) = Api.Create("v1", "Event", """{"metadata":{"name":"web.1"},"involvedObject":{"kind":"Pod","name":"web","namespace":"other"}}""");

        Assert.Equal(["involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"], Api.Lines(errors));
    }

    [Fact]
    public void Event_Create_WithEventTime_RequiresReportingFields()
    {
        var (_, errors) = Api.Create("v1", "Event", """{"metadata":{"name":"web.1"},"eventTime":"2026-01-01T00:00:00.000000Z","involvedObject":{"namespace":"default"}}""");

        Assert.Equal(
        [
            "reportingController: Required value",
            "reportingController: Invalid value: \"\": name part must be non-empty",
            "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "reportingInstance: Required value",
            "action: Required value",
            "reason: Required value",
        ], Api.Lines(errors));
    }

    [Fact]
    public void LimitRange_Create_DefaultsContainerRequestsAndLimits()
    {
        var limitRange = Api.Valid("v1", "LimitRange", """{"metadata":{"name":"l"},"spec":{"limits":[{"type":"Container","max":{"cpu":"2"},"min":{"memory":"64Mi"}}]}}""");
        var (_, errors) = Api.Create("v1", "LimitRange", """{"metadata":{"name":"l"},"spec":{"limits":[{"type":"Container","max":{"cpu":"1"},"min":{"cpu":"2"}}]}}""");

        Assert.Equal("""{"cpu":"2"}""", Api.At(limitRange, "spec.limits.0.default"));
        Assert.Equal("""{"cpu":"2","memory":"64Mi"}""", Api.At(limitRange, "spec.limits.0.defaultRequest"));
        Assert.Contains("spec.limits[0][cpu]: Invalid value: \"2\": min value 2 is greater than max value 1", Api.Lines(errors));
    }

    [Fact]
    public void ResourceQuota_Create_RequiresStandardResources()
    {
        var (quota, errors) = Api.Create("v1", "ResourceQuota", """{"metadata":{"name":"q"},"spec":{"hard":{"pods":"10","gpus":"1","cpu":"-1"}}}""");

        Assert.Equal("{}", Api.At(quota, "status"));
        Assert.Equal(
        [
            "spec.hard[gpus]: Invalid value: \"gpus\": must be a standard resource for quota",
            "spec.hard[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Binding_Create_RequiresATargetNode()
    {
        var (_, errors) = Api.Create("v1", "Binding", """{"metadata":{"name":"web"},"target":{"kind":"Pod"}}""");

        Assert.Equal(["target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\"", "target.name: Required value"], Api.Lines(errors));
    }
}
