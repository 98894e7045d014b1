using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Patching;

namespace Gantry.Api.Tests.Patching;

public sealed class ServerSideApplyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(1);

    private static JsonObject Deployment(int replicas = 2, string image = "nginx:1", string extraLabel = "") => Json.Object("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"EXTRA}},
         "spec":{"replicas":REPLICAS,"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"IMAGE","ports":[{"containerPort":80}]}]}}}}
        """.Replace("EXTRA", extraLabel).Replace("REPLICAS", replicas.ToString()).Replace("IMAGE", image));

    private static ApplyResult Apply(JsonObject? live, JsonObject applied, string manager = "kubectl", bool force = false, DateTimeOffset? now = null) =>
        ServerSideApply.Apply(live, applied, manager, force, "apps/v1", "Deployment", now ?? T0);

    private static JsonObject Entry(JsonObject obj, string manager) =>
        obj["metadata"]!["managedFields"]!.AsArray().OfType<JsonObject>().Single(e => (string?)e["manager"] == manager);

    [Fact]
    public void Apply_OnCreate_ReturnsConfigWithApplyEntry()
    {
        var result = Apply(null, Deployment());
        Assert.True(result.Changed);
        Assert.Equal(2, (int?)result.Object["spec"]!["replicas"]);
        var entry = Entry(result.Object, "kubectl");
        Assert.Equal("Apply", (string?)entry["operation"]);
        Assert.Equal("apps/v1", (string?)entry["apiVersion"]);
        Assert.Equal("2026-01-02T03:04:05Z", (string?)entry["time"]);
        Assert.Equal("FieldsV1", (string?)entry["fieldsType"]);
        Json.Same("""
            {"f:metadata":{"f:labels":{"f:app":{}}},
             "f:spec":{"f:replicas":{},"f:selector":{},
               "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
                 "f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{},
                   "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}
            """, entry["fieldsV1"]);
    }

    [Fact]
    public void Apply_Unchanged_IsANoOpThatKeepsTimestamps()
    {
        var first = Apply(null, Deployment()).Object;
        var second = Apply(first, Deployment(), now: T1);
        Assert.False(second.Changed);
        Json.Same(first.ToJsonString(), second.Object);
    }

    [Fact]
    public void Apply_DroppingAPreviouslyAppliedField_RemovesIt()
    {
        var first = Apply(null, Deployment(extraLabel: ",\"tier\":\"front\"")).Object;
        var second = Apply(first, Deployment(), now: T1).Object;
        Json.Equal("""{"app":"web"}""", second["metadata"]!["labels"]);
        Assert.Equal("2026-01-02T03:05:05Z", (string?)Entry(second, "kubectl")["time"]);
    }

    [Fact]
    public void Apply_DroppingAFieldAnotherManagerAlsoOwns_KeepsIt()
    {
        var first = Apply(null, Deployment(extraLabel: ",\"tier\":\"front\"")).Object;
        var other = Json.Object("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"tier":"front"}}}""");
        var shared = Apply(first, other, manager: "ops").Object;
        var result = Apply(shared, Deployment(), now: T1).Object;
        Assert.Equal("front", (string?)result["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public void Apply_AfterCreate_WithDifferentValue_ConflictsLikeKubernetes()
    {
        var created = Deployment();
        ManagedFields.RecordUpdate(null, created, "kubectl-create", "Update", "apps/v1", T0);
        var e = Assert.Throws<ApiException>(() => Apply(created, Deployment(replicas: 3)));
        Assert.Equal(409, e.Code);
        Assert.Equal("Conflict", e.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-create\" using apps/v1: .spec.replicas", e.Message);
        Json.Equal("""
            {"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"kubectl-create\" using apps/v1","field":".spec.replicas"}]}
            """, e.Details);
    }

    [Fact]
    public void Apply_WithSameValues_SharesOwnership()
    {
        var created = Deployment();
        ManagedFields.RecordUpdate(null, created, "kubectl-create", "Update", "apps/v1", T0);
        var result = Apply(created, Deployment()).Object;
        Assert.NotNull(Entry(result, "kubectl-create")["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.NotNull(Entry(result, "kubectl")["fieldsV1"]!["f:spec"]!["f:replicas"]);
    }

    [Fact]
    public void Apply_WithForce_TakesOwnership()
    {
        var created = Deployment();
        ManagedFields.RecordUpdate(null, created, "kubectl-create", "Update", "apps/v1", T0);
        var result = Apply(created, Deployment(replicas: 5), force: true).Object;
        Assert.Equal(5, (int?)result["spec"]!["replicas"]);
        Assert.Null(Entry(result, "kubectl-create")["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.NotNull(Entry(result, "kubectl")["fieldsV1"]!["f:spec"]!["f:replicas"]);
    }

    [Fact]
    public void Apply_WithSeveralConflicts_ListsThemPerManager()
    {
        var created = Deployment();
        ManagedFields.RecordUpdate(null, created, "kubectl-create", "Update", "apps/v1", T0);
        var e = Assert.Throws<ApiException>(() => Apply(created, Deployment(replicas: 3, image: "nginx:2")));
        Assert.Equal("""
            Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:
            - .spec.replicas
            - .spec.template.spec.containers[name="app"].image
            """.ReplaceLineEndings("\n"), e.Message);
        Assert.Equal(2, e.Details!["causes"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_ConflictWithAnotherApplier_NamesItWithoutVersion()
    {
        var first = Apply(null, Deployment(), manager: "alice").Object;
        var e = Assert.Throws<ApiException>(() => Apply(first, Deployment(image: "nginx:9"), manager: "bob"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\": .spec.template.spec.containers[name=\"app\"].image", e.Message);
    }

    [Fact]
    public void Apply_AssociativeListItemsOfTwoManagers_MergeAndPruneIndependently()
    {
        var first = Apply(null, Deployment(), manager: "alice").Object;
        var sidecar = Json.Object("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}
            """);
        var both = Apply(first, sidecar, manager: "bob").Object;
        Assert.Equal(["app", "side"], both["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));

        var withoutSidecar = Json.Object("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}""");
        var result = Apply(both, withoutSidecar, manager: "bob").Object;
        Assert.Equal(["app"], result["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.DoesNotContain(result["metadata"]!["managedFields"]!.AsArray(), e => (string?)e!["manager"] == "bob");
    }

    [Fact]
    public void Apply_ToObjectWithoutManagedFields_ConflictsWithBeforeFirstApply()
    {
        var e = Assert.Throws<ApiException>(() => Apply(Deployment(), Deployment(replicas: 7)));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas", e.Message);
    }

    [Fact]
    public void Apply_Finalizers_AreOwnedPerValue()
    {
        var applied = Json.Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["a/b"]},"data":{"k":"v"}}""");
        var result = ServerSideApply.Apply(null, applied, "m", false, "v1", "ConfigMap", T0).Object;
        Json.Same("""{"f:data":{"f:k":{}},"f:metadata":{"f:finalizers":{"v:\"a/b\"":{}}}}""", Entry(result, "m")["fieldsV1"]);
    }

    [Fact]
    public void Apply_CustomResourceLists_AreAtomic()
    {
        var applied = Json.Object("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"items":[{"name":"a"}]}}""");
        var result = ServerSideApply.Apply(null, applied, "m", false, "example.com/v1", "Widget", T0).Object;
        Json.Same("""{"f:spec":{"f:items":{}}}""", Entry(result, "m")["fieldsV1"]);
    }

    [Fact]
    public void Apply_ListItemWithoutKey_IsBadRequest()
    {
        var applied = Json.Object("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}""");
        Assert.Equal(400, Assert.Throws<ApiException>(() => Apply(null, applied)).Code);
    }

    [Fact]
    public void Apply_WithManagedFieldsInConfig_IsBadRequest()
    {
        var applied = Deployment();
        applied["metadata"]!["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "x" });
        Assert.Equal(400, Assert.Throws<ApiException>(() => Apply(null, applied)).Code);
    }

    [Fact]
    public void Apply_WithoutManager_IsBadRequest()
    {
        Assert.Equal(400, Assert.Throws<ApiException>(() => Apply(null, Deployment(), manager: "")).Code);
    }

    [Fact]
    public void Apply_MergesListItemsInStructuredMergeDiffOrder()
    {
        static JsonObject Pod(string names) => Json.Object("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[NAMES]}}"""
            .Replace("NAMES", string.Join(",", names.Select(n => $"{{\"name\":\"{n}\"}}"))));
        var live = ServerSideApply.Apply(null, Pod("abc"), "other", false, "v1", "Pod", T0).Object;
        var result = ServerSideApply.Apply(live, Pod("cxa"), "me", false, "v1", "Pod", T0).Object;
        Assert.Equal(["b", "c", "x", "a"], result["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));
    }

    [Fact]
    public void Apply_DroppingAFieldAnUpdaterAlsoOwns_KeepsIt()
    {
        var created = Deployment(extraLabel: ",\"tier\":\"front\"");
        ManagedFields.RecordUpdate(null, created, "kubectl-create", "Update", "apps/v1", T0);
        var applied = Apply(created, Deployment(extraLabel: ",\"tier\":\"front\"")).Object;
        var result = Apply(applied, Deployment(), now: T1).Object;
        Assert.Equal("front", (string?)result["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public void Apply_DroppingTheLastEntryOfAMap_RemovesTheEmptyMap()
    {
        var config = Json.Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{"a":"1"}},"data":{"k":"v"}}""");
        var live = ServerSideApply.Apply(null, config, "m", false, "v1", "ConfigMap", T0).Object;
        config["metadata"]!.AsObject().Remove("annotations");
        var result = ServerSideApply.Apply(live, config, "m", false, "v1", "ConfigMap", T1).Object;
        Assert.False(result["metadata"]!.AsObject().ContainsKey("annotations"));
    }

    [Fact]
    public void Apply_WithNullInConfig_UnsetsTheField()
    {
        var live = Apply(null, Deployment()).Object;
        var applied = Deployment();
        applied["spec"]!["replicas"] = null;
        var result = Apply(live, applied, now: T1).Object;
        Assert.False(result["spec"]!.AsObject().ContainsKey("replicas"));
    }
}
