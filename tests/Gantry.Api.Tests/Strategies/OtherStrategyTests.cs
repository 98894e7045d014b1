namespace Gantry.Api.Tests.Strategies;

public sealed class OtherStrategyTests
{
    [Fact]
    public void Lease_Create_RequiresAPositiveDuration()
    {
        var (_, errors) = Api.Create("coordination.k8s.io/v1", "Lease", """{"metadata":{"name":"l"},"spec":{"leaseDurationSeconds":0,"leaseTransitions":-1}}""");

        Assert.Equal(
        [
            "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
            "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
        ], Api.Lines(errors));
    }

    [Fact]
    public void EndpointSlice_Create_DefaultsPortsAndRequiresAddressType()
    {
        var slice = Api.Valid("discovery.k8s.io/v1", "EndpointSlice", """{"metadata":{"name":"s"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]}],"ports":[{"port":80}]}""");
        var (_, errors) = Api.Create("discovery.k8s.io/v1", "EndpointSlice", """{"metadata":{"name":"s"},"endpoints":[{}]}""");
        var (_, unsupported) = Api.Create("discovery.k8s.io/v1", "EndpointSlice", """{"metadata":{"name":"s"},"addressType":"IPv5"}""");

        Assert.Equal("""{"port":80,"name":"","protocol":"TCP"}""", Api.At(slice, "ports.0"));
        Assert.Equal(["addressType: Required value", "endpoints[0].addresses: Required value: must contain at least 1 address"], Api.Lines(errors));
        Assert.Equal(["addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""], Api.Lines(unsupported));
    }

    [Fact]
    public void EndpointSlice_Update_ChangingAddressType_IsImmutable()
    {
        var slice = Api.Valid("discovery.k8s.io/v1", "EndpointSlice", """{"metadata":{"name":"s"},"addressType":"IPv4"}""");

        var (_, errors) = Api.Update("discovery.k8s.io/v1", "EndpointSlice", slice, s => s["addressType"] = "IPv6");

        Assert.Equal(["addressType: Invalid value: \"IPv6\": field is immutable"], Api.Lines(errors));
    }

    [Fact]
    public void PriorityClass_Create_DefaultsPreemptionAndReservesSystemNames()
    {
        var priorityClass = Api.Valid("scheduling.k8s.io/v1", "PriorityClass", """{"metadata":{"name":"high"},"value":1000}""");
        var (_, errors) = Api.Create("scheduling.k8s.io/v1", "PriorityClass", """{"metadata":{"name":"system-mine"},"value":1}""");

        Assert.Equal("\"PreemptLowerPriority\"", Api.At(priorityClass, "preemptionPolicy"));
        Assert.Equal(["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"],
            Api.Lines(errors));
    }

    [Fact]
    public void PriorityClass_Update_ChangingTheValue_IsForbidden()
    {
        var priorityClass = Api.Valid("scheduling.k8s.io/v1", "PriorityClass", """{"metadata":{"name":"high"},"value":1000}""");

        var (_, errors) = Api.Update("scheduling.k8s.io/v1", "PriorityClass", priorityClass, p => p["value"] = 2000);

        Assert.Equal(["value: Forbidden: may not be changed in an update."], Api.Lines(errors));
    }

    [Fact]
    public void PodDisruptionBudget_Create_WithBothBounds_IsInvalid()
    {
        var (budget, errors) = Api.Create("policy/v1", "PodDisruptionBudget",
            """{"metadata":{"name":"p"},"spec":{"minAvailable":1,"maxUnavailable":"150%","selector":{"matchLabels":{"app":"web"}}}}""");

        Assert.Equal("1", Api.At(budget, "metadata.generation"));
        Assert.Equal(
        [
            "spec: Invalid value: {\"minAvailable\":1,\"maxUnavailable\":\"150%\",\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}: minAvailable and maxUnavailable cannot be both set",
            "spec.maxUnavailable: Invalid value: 150%: must not be greater than 100%",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Role_Create_RequiresVerbsGroupsAndResources()
    {
        var (_, errors) = Api.Create("rbac.authorization.k8s.io/v1", "Role", """{"metadata":{"name":"r"},"rules":[{}, {"verbs":["get"],"nonResourceURLs":["/healthz"]}]}""");

        Assert.Equal(
        [
            "rules[0].verbs: Required value: verbs must contain at least one value",
            "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
            "rules[0].resources: Required value: resource rules must supply at least one resource",
            "rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs",
        ], Api.Lines(errors));
    }

    [Fact]
    public void ClusterRole_Create_AllowsColonsButNotSlashesInNames()
    {
        Api.Valid("rbac.authorization.k8s.io/v1", "ClusterRole", """{"metadata":{"name":"system:view"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}""");
        var (_, errors) = Api.Create("rbac.authorization.k8s.io/v1", "ClusterRole", """{"metadata":{"name":"a/b"}}""");

        Assert.Equal(["metadata.name: Invalid value: \"a/b\": may not contain '/'"], Api.Lines(errors));
    }

    [Fact]
    public void RoleBinding_Create_DefaultsApiGroupsAndValidatesSubjects()
    {
        var binding = Api.Valid("rbac.authorization.k8s.io/v1", "RoleBinding",
            """{"metadata":{"name":"b"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"alice"},{"kind":"ServiceAccount","name":"default"}]}""");
        var (_, errors) = Api.Create("rbac.authorization.k8s.io/v1", "ClusterRoleBinding",
            """{"metadata":{"name":"b"},"roleRef":{"kind":"Role"},"subjects":[{"kind":"ServiceAccount","name":"default"},{"kind":"Robot","name":"r"}]}""");

        Assert.Equal("\"rbac.authorization.k8s.io\"", Api.At(binding, "roleRef.apiGroup"));
        Assert.Equal("\"rbac.authorization.k8s.io\"", Api.At(binding, "subjects.0.apiGroup"));
        Assert.Equal("\"\"", Api.At(binding, "subjects.1.apiGroup"));
        Assert.Equal(
        [
            "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
            "roleRef.name: Required value",
            "subjects[0].namespace: Required value",
            "subjects[1].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
        ], Api.Lines(errors));
    }

    [Fact]
    public void RoleBinding_Update_ChangingRoleRef_IsRejected()
    {
        var binding = Api.Valid("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", """{"metadata":{"name":"b"},"roleRef":{"kind":"ClusterRole","name":"view"}}""");

        var (_, errors) = Api.Update("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", binding, b => b["roleRef"]!["name"] = "edit");

        Assert.Equal(["roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef"],
            Api.Lines(errors));
    }

    [Fact]
    public void StorageClass_Create_DefaultsAndRequiresProvisioner()
    {
        var storageClass = Api.Valid("storage.k8s.io/v1", "StorageClass", """{"metadata":{"name":"fast"},"provisioner":"gantry.io/local"}""");
        var (_, errors) = Api.Create("storage.k8s.io/v1", "StorageClass", """{"metadata":{"name":"fast"}}""");

        Assert.Equal("\"Delete\"", Api.At(storageClass, "reclaimPolicy"));
        Assert.Equal("\"Immediate\"", Api.At(storageClass, "volumeBindingMode"));
        Assert.Equal(["provisioner: Required value"], Api.Lines(errors));
    }

    [Fact]
    public void StorageClass_Update_ChangingParameters_IsForbidden()
    {
        var storageClass = Api.Valid("storage.k8s.io/v1", "StorageClass", """{"metadata":{"name":"fast"},"provisioner":"gantry.io/local","parameters":{"a":"1"}}""");

        var (_, errors) = Api.Update("storage.k8s.io/v1", "StorageClass", storageClass, s => s["parameters"]!["a"] = "2");

        Assert.Equal(["parameters: Forbidden: updates to parameters are forbidden."], Api.Lines(errors));
    }

    [Fact]
    public void SelfSubjectAccessReview_RequiresExactlyOneAttributeSet()
    {
        Api.Valid("authorization.k8s.io/v1", "SelfSubjectAccessReview", """{"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}}""");
        var (_, errors) = Api.Create("authorization.k8s.io/v1", "SelfSubjectAccessReview", """{"spec":{}}""");

        Assert.Equal(["spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified"], Api.Lines(errors));
    }

    [Fact]
    public void EventsV1_Create_RequiresTheNewApiFields()
    {
        Api.Valid("events.k8s.io/v1", "Event", """
            {"metadata":{"name":"e"},"eventTime":"2026-01-01T00:00:00.000000Z","reportingController":"gantry.io/scheduler","reportingInstance":"gantry-1",
             "action":"Binding","reason":"Scheduled","type":"Normal","regarding":{"kind":"Pod","name":"web","namespace":"default"}}
            """);
        var (_, errors) = Api.Create("events.k8s.io/v1", "Event", """
            {"metadata":{"name":"e"},"eventTime":"2026-01-01T00:00:00.000000Z","reportingController":"c","reportingInstance":"i","action":"a","reason":"r",
             "type":"Odd","deprecatedCount":3,"regarding":{"namespace":"default"}}
            """);

        Assert.Equal(["type: Invalid value: \"\": has invalid value: Odd", "count: Invalid value: \"\": needs to be unset"], Api.Lines(errors));
    }

    [Fact]
    public void EventsV1_Update_ChangingTheNote_IsImmutable()
    {
        var e = Api.Valid("events.k8s.io/v1", "Event", """
            {"metadata":{"name":"e"},"eventTime":"2026-01-01T00:00:00.000000Z","reportingController":"gantry.io/scheduler","reportingInstance":"gantry-1",
             "action":"Binding","reason":"Scheduled","type":"Normal","note":"a","regarding":{"kind":"Pod","name":"web","namespace":"default"}}
            """);

        var (_, errors) = Api.Update("events.k8s.io/v1", "Event", e, u => u["note"] = "b");

        Assert.Equal(["message: Invalid value: \"b\": field is immutable"], Api.Lines(errors));
    }

    [Fact]
    public void Event_Create_WithoutName_GetsTheGenericMetadataCheck()
    {
        var (_, errors) = Api.Create("v1", "Event", """{"metadata":{},"involvedObject":{"namespace":"default"}}""");

        Assert.Equal(["metadata.name: Required value: name or generateName is required"], Api.Lines(errors));
    }
}
