using Gantry.Api.Errors;
using Gantry.Api.Patching;

namespace Gantry.Api.Tests.Patching;

public sealed class StrategicMergePatchTests
{
    private static System.Text.Json.Nodes.JsonObject Patch(string original, string patch, string apiVersion = "v1", string kind = "Pod") =>
        StrategicMergePatch.Apply(Json.Object(original), Json.Object(patch), apiVersion, kind);

    private const string TwoContainers = """
        {"spec":{"containers":[{"name":"a","image":"nginx","ports":[{"containerPort":80}]},{"name":"b","image":"redis"}]}}
        """;

    [Fact]
    public void Containers_MergeByName()
    {
        var result = Patch(TwoContainers, """{"spec":{"containers":[{"name":"b","image":"redis:7"}]}}""");
        Json.Same("""{"spec":{"containers":[{"name":"a","image":"nginx","ports":[{"containerPort":80}]},{"name":"b","image":"redis:7"}]}}""", result);
    }

    [Fact]
    public void NewListItem_WithoutOrderDirective_GoesBeforeServerOnlyItems()
    {
        var result = Patch(TwoContainers, """{"spec":{"containers":[{"name":"c","image":"busybox"}]}}""");
        Assert.Equal(["c", "a", "b"], result["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));
    }

    [Fact]
    public void SetElementOrder_OrdersTheMergedList()
    {
        var result = Patch(TwoContainers, """
            {"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"c"},{"name":"a"}],"containers":[{"name":"c","image":"busybox"}]}}
            """);
        Assert.Equal(["b", "c", "a"], result["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));
    }

    [Fact]
    public void SetElementOrder_WithoutPatchList_OnlyReorders()
    {
        var result = Patch(TwoContainers, """{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}""");
        Assert.Equal(["b", "a"], result["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Equal("nginx", (string?)result["spec"]!["containers"]![1]!["image"]);
    }

    [Fact]
    public void SetElementOrder_ThatContradictsThePatchList_IsBadRequest()
    {
        var e = Assert.Throws<ApiException>(() => Patch(TwoContainers, """
            {"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"b"},{"name":"a"}]}}
            """));
        Assert.Equal(400, e.Code);
    }

    [Fact]
    public void DeleteDirective_InList_RemovesTheItem()
    {
        var result = Patch(TwoContainers, """{"spec":{"containers":[{"$patch":"delete","name":"a"}]}}""");
        Json.Same("""{"spec":{"containers":[{"name":"b","image":"redis"}]}}""", result);
    }

    [Fact]
    public void ReplaceDirective_InList_ReplacesTheWholeList()
    {
        var result = Patch(TwoContainers, """{"spec":{"containers":[{"name":"z","image":"x"},{"$patch":"replace"}]}}""");
        Json.Same("""{"spec":{"containers":[{"name":"z","image":"x"}]}}""", result);
    }

    [Fact]
    public void MergeDirective_InList_IsBadRequest()
    {
        Assert.Equal(400, Assert.Throws<ApiException>(() => Patch(TwoContainers, """{"spec":{"containers":[{"$patch":"merge"}]}}""")).Code);
    }

    [Fact]
    public void ReplaceDirective_InMap_ReplacesTheMap()
    {
        var result = Patch("""{"metadata":{"labels":{"a":"1","b":"2"}}}""", """{"metadata":{"labels":{"$patch":"replace","c":"3"}}}""");
        Json.Equal("""{"metadata":{"labels":{"c":"3"}}}""", result);
    }

    [Fact]
    public void DeleteDirective_InMap_EmptiesTheMap()
    {
        var result = Patch("""{"metadata":{"labels":{"a":"1"}},"spec":{"x":1}}""", """{"metadata":{"labels":{"$patch":"delete"}}}""");
        Json.Equal("""{"metadata":{"labels":{}},"spec":{"x":1}}""", result);
    }

    [Fact]
    public void UnknownDirective_IsBadRequest()
    {
        Assert.Equal(400, Assert.Throws<ApiException>(() => Patch("""{"a":{}}""", """{"a":{"$patch":"explode"}}""")).Code);
    }

    [Fact]
    public void Null_DeletesTheMember()
    {
        var result = Patch("""{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"nodeName":"n"}}""", """{"metadata":{"labels":{"a":null}},"spec":{"nodeName":null,"other":null}}""");
        Json.Equal("""{"metadata":{"labels":{"b":"2"}},"spec":{}}""", result);
    }

    [Fact]
    public void NewMember_DropsNullsAndDirectivesInside()
    {
        var result = Patch("""{"spec":{}}""", """
            {"spec":{"securityContext":{"runAsUser":1,"fsGroup":null,"$retainKeys":["runAsUser"]},"volumes":[{"name":"v"},{"$patch":"delete","name":"w"}]}}
            """);
        Json.Equal("""{"spec":{"securityContext":{"runAsUser":1},"volumes":[{"name":"v"}]}}""", result);
    }

    [Fact]
    public void Finalizers_MergeAsASet()
    {
        var result = Patch("""{"metadata":{"finalizers":["a","b"]}}""", """{"metadata":{"finalizers":["b","c"]}}""", "v1", "ConfigMap");
        Assert.Equal(["a", "b", "c"], result["metadata"]!["finalizers"]!.AsArray().Select(f => (string)f!));
    }

    [Fact]
    public void DeleteFromPrimitiveList_RemovesValues()
    {
        var result = Patch("""{"metadata":{"finalizers":["a","b","c"]}}""", """
            {"metadata":{"$setElementOrder/finalizers":["c","a"],"$deleteFromPrimitiveList/finalizers":["b"]}}
            """, "apps/v1", "Deployment");
        Assert.Equal(["c", "a"], result["metadata"]!["finalizers"]!.AsArray().Select(f => (string)f!));
    }

    [Fact]
    public void PrimitiveListWithoutMergeStrategy_IsReplaced()
    {
        var result = Patch("""{"spec":{"containers":[{"name":"a","args":["x","y"]}]}}""", """{"spec":{"containers":[{"name":"a","args":["z"]}]}}""");
        Json.Equal("""{"spec":{"containers":[{"name":"a","args":["z"]}]}}""", result);
    }

    [Fact]
    public void Tolerations_AreAtomic()
    {
        var result = Patch("""{"spec":{"tolerations":[{"key":"a"},{"key":"b"}]}}""", """{"spec":{"tolerations":[{"key":"c"}]}}""");
        Json.Equal("""{"spec":{"tolerations":[{"key":"c"}]}}""", result);
    }

    [Fact]
    public void ContainerPorts_MergeByContainerPort_AndEnvByName()
    {
        var result = Patch("""
            {"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}],"env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]}]}}
            """, """
            {"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}],"env":[{"name":"Y","value":"3"}]}]}}
            """);
        Json.Same("""
            {"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":443}],"env":[{"name":"X","value":"1"},{"name":"Y","value":"3"}]}]}}
            """, result);
    }

    [Fact]
    public void ServicePorts_MergeByPort()
    {
        var result = Patch("""{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}}""", """{"spec":{"ports":[{"port":80,"targetPort":9090}]}}""", "v1", "Service");
        Json.Same("""{"spec":{"ports":[{"port":80,"targetPort":9090},{"port":443}]}}""", result);
    }

    [Fact]
    public void OwnerReferences_MergeByUid()
    {
        var result = Patch("""{"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]}}""", """{"metadata":{"ownerReferences":[{"uid":"1","controller":true}]}}""", "v1", "Secret");
        Json.Equal("""{"metadata":{"ownerReferences":[{"uid":"1","name":"a","controller":true}]}}""", result);
    }

    [Fact]
    public void Conditions_MergeByType()
    {
        var result = Patch("""{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Initialized","status":"True"}]}}""",
            """{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""");
        Json.Same("""{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}]}}""", result);
    }

    [Theory]
    [InlineData("apps/v1", "Deployment", """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"old"},{"name":"b"}]}}}}""")]
    [InlineData("apps/v1", "StatefulSet", """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"old"},{"name":"b"}]}}}}""")]
    [InlineData("batch/v1", "Job", """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"old"},{"name":"b"}]}}}}""")]
    [InlineData("batch/v1", "CronJob", """{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"old"},{"name":"b"}]}}}}}}""")]
    [InlineData("v1", "ReplicationController", """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"old"},{"name":"b"}]}}}}""")]
    [InlineData("v1", "PodTemplate", """{"template":{"spec":{"containers":[{"name":"a","image":"old"},{"name":"b"}]}}}""")]
    public void PodTemplates_OfEveryWorkload_MergeContainersByName(string apiVersion, string kind, string original)
    {
        var patch = original.Replace("\"image\":\"old\"", "\"image\":\"new\"").Replace(",{\"name\":\"b\"}", "");
        var result = Patch(original, patch, apiVersion, kind);
        Assert.Equal(original.Replace("\"image\":\"old\"", "\"image\":\"new\""), result.ToJsonString());
    }

    [Fact]
    public void UnknownKind_ReplacesLists()
    {
        var result = Patch("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""", """{"spec":{"containers":[{"name":"b","x":1}]}}""", "example.com/v1", "Widget");
        Json.Equal("""{"spec":{"containers":[{"name":"b","x":1}]}}""", result);
    }

    [Fact]
    public void RetainKeys_ClearsUnlistedMembers()
    {
        var result = Patch("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""",
            """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""", "apps/v1", "Deployment");
        Json.Equal("""{"spec":{"strategy":{"type":"Recreate"}}}""", result);
    }

    [Fact]
    public void RetainKeys_InVolumeItem_SwitchesTheVolumeSource()
    {
        var result = Patch("""{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}""",
            """{"spec":{"volumes":[{"$retainKeys":["configMap","name"],"name":"v","configMap":{"name":"cm"}}]}}""");
        Json.Equal("""{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}}]}}""", result);
    }

    [Fact]
    public void RetainKeys_NotCoveringThePatch_IsBadRequest()
    {
        Assert.Equal(400, Assert.Throws<ApiException>(() => Patch("""{"spec":{"strategy":{}}}""",
            """{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}""", "apps/v1", "Deployment")).Code);
    }

    [Fact]
    public void MergeListItem_WithoutMergeKey_IsBadRequest()
    {
        Assert.Equal(400, Assert.Throws<ApiException>(() => Patch(TwoContainers, """{"spec":{"containers":[{"image":"x"}]}}""")).Code);
    }

    [Fact]
    public void TypeChange_ReplacesTheValue()
    {
        Json.Equal("""{"a":{"b":1}}""", Patch("""{"a":"text"}""", """{"a":{"b":1,"c":null}}""", "v1", "ConfigMap"));
        Json.Equal("""{"a":[1]}""", Patch("""{"a":{"b":1}}""", """{"a":[1]}""", "v1", "ConfigMap"));
    }

    [Fact]
    public void KubectlApplyPatch_UpdatesImageAndAnnotation()
    {
        var original = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\n"}},
             "spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1","imagePullPolicy":"IfNotPresent"}]}}}}
            """;
        var patch = """
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"new\":true}\n"}},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"name":"app","image":"nginx:2"}]}}}}
            """;
        var result = Patch(original, patch, "apps/v1", "Deployment");
        var container = result["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("nginx:2", (string?)container["image"]);
        Assert.Equal("IfNotPresent", (string?)container["imagePullPolicy"]);
        Assert.Equal("{\"new\":true}\n", (string?)result["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);
        Assert.Equal(1, (int?)result["spec"]!["replicas"]);
    }

    [Fact]
    public void KubectlApplyPatch_RemovesEnvEntryAndField()
    {
        var original = """
            {"spec":{"template":{"spec":{"containers":[
              {"name":"app","image":"nginx","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],"workingDir":"/w"},
              {"name":"side","image":"busybox","env":[{"name":"Z","value":"3"}]}]}}}}
            """;
        var patch = """
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"side"}],"containers":[
              {"$setElementOrder/env":[{"name":"Y"}],"name":"app","env":[{"$patch":"delete","name":"X"}],"workingDir":null},
              {"name":"side","env":null}]}}}}
            """;
        var result = Patch(original, patch, "apps/v1", "Deployment");
        Json.Same("""
            {"spec":{"template":{"spec":{"containers":[
              {"name":"app","image":"nginx","env":[{"name":"Y","value":"2"}]},
              {"name":"side","image":"busybox"}]}}}}
            """, result);
    }

    [Fact]
    public void KubectlApplyPatch_RemovesContainer()
    {
        var result = Patch(TwoContainers, """
            {"spec":{"$setElementOrder/containers":[{"name":"b"}],"containers":[{"$patch":"delete","name":"a"}]}}
            """);
        Json.Same("""{"spec":{"containers":[{"name":"b","image":"redis"}]}}""", result);
    }

    [Fact]
    public void ListsOfLists_AreRejectedWith422()
    {
        Assert.Equal(422, Assert.Throws<ApiException>(() => Patch("""{"metadata":{"finalizers":[["a"]]}}""", """{"metadata":{"finalizers":[["b"]]}}""")).Code);
    }

    [Fact]
    public void Apply_DoesNotModifyItsInputs()
    {
        var original = Json.Object(TwoContainers);
        var patch = Json.Object("""{"spec":{"containers":[{"$patch":"delete","name":"a"}]}}""");
        StrategicMergePatch.Apply(original, patch, "v1", "Pod");
        Json.Same(TwoContainers, original);
        Json.Same("""{"spec":{"containers":[{"$patch":"delete","name":"a"}]}}""", patch);
    }

    [Fact]
    public void DeleteFromPrimitiveList_OfMissingList_AddsNothing()
    {
        Json.Equal("""{"metadata":{"name":"x"}}""", Patch("""{"metadata":{"name":"x"}}""", """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}"""));
    }

    [Fact]
    public void SetElementOrder_OfPrimitiveList_PlacesNewValues()
    {
        var result = Patch("""{"metadata":{"finalizers":["a","b"]}}""", """{"metadata":{"$setElementOrder/finalizers":["c","a","b"],"finalizers":["c"]}}""");
        Assert.Equal(["c", "a", "b"], result["metadata"]!["finalizers"]!.AsArray().Select(f => (string)f!));
    }

    [Fact]
    public void RetainKeys_AllowsNullsForDroppedMembers()
    {
        var result = Patch("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""",
            """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}}""", "apps/v1", "Deployment");
        Json.Equal("""{"spec":{"strategy":{"type":"Recreate"}}}""", result);
    }

    [Fact]
    public void DeleteDirective_OnAMemberOfAListItem_EmptiesIt()
    {
        var result = Patch("""{"spec":{"containers":[{"name":"a","livenessProbe":{"exec":{"command":["true"]}}}]}}""",
            """{"spec":{"containers":[{"name":"a","livenessProbe":{"$patch":"delete"}}]}}""");
        Json.Equal("""{"spec":{"containers":[{"name":"a","livenessProbe":{}}]}}""", result);
    }

    [Fact]
    public void Apply_FromJsonText_ParsesAndRejectsNonObjects()
    {
        var original = Json.Object("""{"a":1}""");
        Json.Equal("""{"a":2}""", StrategicMergePatch.Apply(original, """{"a":2}""", "v1", "ConfigMap"));
        Json.Equal("""{"a":1}""", StrategicMergePatch.Apply(original, "null", "v1", "ConfigMap"));
        Assert.Equal(400, Assert.Throws<ApiException>(() => StrategicMergePatch.Apply(original, "[1]", "v1", "ConfigMap")).Code);
        Assert.Equal(400, Assert.Throws<ApiException>(() => StrategicMergePatch.Apply(original, "{", "v1", "ConfigMap")).Code);
    }

    [Fact]
    public void ServiceAccountSecrets_MergeByName()
    {
        var result = Patch("""{"secrets":[{"name":"a"}]}""", """{"secrets":[{"name":"b"}]}""", "v1", "ServiceAccount");
        Assert.Equal(["b", "a"], result["secrets"]!.AsArray().Select(c => (string)c!["name"]!));
    }
}
