using System.Text.Json.Nodes;
using Gantry.Api.Patching;

namespace Gantry.Api.Tests.Patching;

public sealed class ManagedFieldsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static JsonArray Entries(JsonObject obj) => obj["metadata"]!["managedFields"]!.AsArray();

    [Fact]
    public void RecordUpdate_OnCreate_OwnsEverySetFieldButIdentityAndStatus()
    {
        var pod = Json.Object("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d","uid":"u","labels":{"a":"1"}},
             "spec":{"containers":[{"name":"c","image":"i","resources":{}}]},"status":{"phase":"Pending"}}
            """);
        ManagedFields.RecordUpdate(null, pod, "kubectl-run", "Update", "v1", T0);
        var entry = Entries(pod).Single()!;
        Json.Same("""
            {"manager":"kubectl-run","operation":"Update","apiVersion":"v1","time":"2026-01-02T03:04:05Z","fieldsType":"FieldsV1",
             "fieldsV1":{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{},"f:resources":{}}}}}}
            """, entry);
    }

    [Fact]
    public void RecordUpdate_OnCreate_OwnsNothingForEmptyListsAndObjectsHoldingOnlyThem()
    {
        var pod = Json.Object("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1"}},
             "spec":{"containers":[],"securityContext":{"supplementalGroups":[]},"volumes":[{"name":"v","emptyDir":{}}]}}
            """);
        ManagedFields.RecordUpdate(null, pod, "m", "Update", "v1", T0);
        Json.Same("""
            {"f:metadata":{"f:labels":{"f:a":{}}},
             "f:spec":{"f:securityContext":{"f:supplementalGroups":{}},"f:volumes":{"k:{\"name\":\"v\"}":{".":{},"f:emptyDir":{},"f:name":{}}}}}
            """, Entries(pod).Single()!["fieldsV1"]);
    }

    [Fact]
    public void RecordUpdate_MovesChangedFieldsToTheWriter()
    {
        var old = Json.Object("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1,"paused":false}}""");
        ManagedFields.RecordUpdate(null, old, "kubectl-create", "Update", "apps/v1", T0);
        var updated = (JsonObject)old.DeepClone();
        updated["spec"]!["replicas"] = 3;
        updated["metadata"]!["annotations"] = new JsonObject { ["note"] = "x" };
        ManagedFields.RecordUpdate(old, updated, "kubectl-scale", "Update", "apps/v1", T0.AddSeconds(1));

        var create = Entries(updated).Single(e => (string?)e!["manager"] == "kubectl-create")!;
        Json.Same("""{"f:spec":{"f:paused":{}}}""", create["fieldsV1"]);
        var scale = Entries(updated).Single(e => (string?)e!["manager"] == "kubectl-scale")!;
        Json.Same("""{"f:metadata":{"f:annotations":{".":{},"f:note":{}}},"f:spec":{"f:replicas":{}}}""", scale["fieldsV1"]);
        Assert.Equal("2026-01-02T03:04:06Z", (string?)scale["time"]);
    }

    [Fact]
    public void RecordUpdate_RemovedFields_LeaveTheWritersSet()
    {
        var old = Json.Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}}""");
        ManagedFields.RecordUpdate(null, old, "m", "Update", "v1", T0);
        var updated = (JsonObject)old.DeepClone();
        updated["data"]!.AsObject().Remove("b");
        ManagedFields.RecordUpdate(old, updated, "m", "Update", "v1", T0);
        Json.Same("""{"f:data":{"f:a":{}}}""", Entries(updated).Single()!["fieldsV1"]);
    }

    [Fact]
    public void RecordUpdate_WithoutChanges_AddsNoEntry()
    {
        var old = Json.Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}""");
        ManagedFields.RecordUpdate(null, old, "m", "Update", "v1", T0);
        var updated = (JsonObject)old.DeepClone();
        ManagedFields.RecordUpdate(old, updated, "other", "Update", "v1", T0);
        Assert.Single(Entries(updated));
    }

    [Fact]
    public void RecordUpdate_ClientSendingEmptyManagedFields_ResetsOwnership()
    {
        var old = Json.Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}""");
        ManagedFields.RecordUpdate(null, old, "m", "Update", "v1", T0);
        var updated = (JsonObject)old.DeepClone();
        updated["metadata"]!["managedFields"] = new JsonArray();
        updated["data"]!["b"] = "2";
        ManagedFields.RecordUpdate(old, updated, "other", "Update", "v1", T0);
        Assert.Equal("other", (string?)Entries(updated).Single()!["manager"]);
    }

    [Fact]
    public void RecordUpdate_ClientSendingNullManagedFields_KeepsTheStoredEntries()
    {
        var old = Json.Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}""");
        ManagedFields.RecordUpdate(null, old, "m", "Update", "v1", T0);
        var updated = (JsonObject)old.DeepClone();
        updated["metadata"]!["managedFields"] = null;
        updated["data"]!["b"] = "2";
        ManagedFields.RecordUpdate(old, updated, "other", "Update", "v1", T0);
        Assert.Equal(["m", "other"], Entries(updated).Select(e => (string?)e!["manager"]).Order());
    }

    [Fact]
    public void RecordUpdate_ThroughStatusSubresource_OwnsOnlyStatus()
    {
        var old = Json.Object("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"n"},"status":{"phase":"Pending"}}""");
        var updated = (JsonObject)old.DeepClone();
        updated["status"]!["phase"] = "Running";
        updated["spec"]!["nodeName"] = "m";
        ManagedFields.RecordUpdate(old, updated, "kubelet", "Update", "v1", T0, "status");
        var entry = Entries(updated).Single()!;
        Assert.Equal("status", (string?)entry["subresource"]);
        Json.Same("""{"f:status":{"f:phase":{}}}""", entry["fieldsV1"]);
    }

    [Fact]
    public void RecordUpdate_StatusWrite_KeepsAnEntryOwningOnlySpecAsStored_AndAddsTheWriter()
    {
        var old = Json.Object("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1"}},"spec":{"containers":[{"name":"c","image":"i"}]},"status":{"phase":"Pending"}}""");
        ManagedFields.RecordUpdate(null, old, "creator", "Update", "v1", T0);
        var stored = Entries(old).Single()!.ToJsonString();
        // Read back as the server does: the stored entry is untouched by a status write, so it is written back unparsed.
        old = Json.Object(old.ToJsonString());
        var updated = Json.Object(old.ToJsonString());
        updated["status"] = Json.Object("""{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}""");
        ManagedFields.RecordUpdate(old, updated, "kubelet", "Update", "v1", T0.AddSeconds(1), "status");

        Assert.Equal(stored, Entries(updated).Single(e => (string?)e!["manager"] == "creator")!.ToJsonString());
        var kubelet = Entries(updated).Single(e => (string?)e!["manager"] == "kubelet")!;
        Json.Same("""{"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Ready\"}":{".":{},"f:status":{},"f:type":{}}},"f:phase":{}}}""", kubelet["fieldsV1"]);
    }

    [Fact]
    public void RecordUpdate_WriteTakingOneOfAnotherEntrysFields_RewritesThatEntry()
    {
        var old = Json.Object("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}}""");
        ManagedFields.RecordUpdate(null, old, "creator", "Update", "v1", T0);
        old = Json.Object(old.ToJsonString());
        var updated = Json.Object(old.ToJsonString());
        updated["data"]!["b"] = "3";
        ManagedFields.RecordUpdate(old, updated, "editor", "Update", "v1", T0);
        Json.Same("""{"f:data":{"f:a":{}}}""", Entries(updated).Single(e => (string?)e!["manager"] == "creator")!["fieldsV1"]);
        Json.Same("""{"f:data":{"f:b":{}}}""", Entries(updated).Single(e => (string?)e!["manager"] == "editor")!["fieldsV1"]);
    }

    [Fact]
    public void RecordUpdate_ListMapKeys_AreWrittenInKeyNameOrder_WithDefaults_AndUnescapedText()
    {
        var old = Json.Object("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[]}}""");
        var updated = Json.Object("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80,"name":"h"}]}}""");
        ManagedFields.RecordUpdate(old, updated, "m", "Update", "v1", T0);
        var ports = Entries(updated).Single()!["fieldsV1"]!["f:spec"]!["f:ports"]!.AsObject();
        Assert.Equal("k:{\"port\":80,\"protocol\":\"TCP\"}", ports.Select(p => p.Key).Single(k => k != "."));

        var pod = Json.Object("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"status":{"conditions":[]}}""");
        var written = Json.Object("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"status":{"conditions":[{"type":"R\u00e9ady<>"}]}}""");
        ManagedFields.RecordUpdate(pod, written, "m", "Update", "v1", T0, "status");
        var conditions = Entries(written).Single()!["fieldsV1"]!["f:status"]!["f:conditions"]!.AsObject();
        Assert.Equal("k:{\"type\":\"Réady<>\"}", conditions.Select(p => p.Key).Single(k => k != "."));
    }
}
