using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class SemanticsTests(ServerFixture fixture) : IDisposable
{
    private readonly RawApi _api = new(fixture.Server);

    public void Dispose() => _api.Dispose();

    // A suspended CronJob with no jobs: the fixture runs the controllers, and this is a kind with a status subresource
    // whose controller leaves the status alone (a Deployment's rewrites status.replicas between the test's writes).
    private const string CronJob = """
        {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"cj"},
         "spec":{"schedule":"0 0 1 1 *","suspend":true,
                 "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}},
         "status":{"lastScheduleTime":"2020-01-01T00:00:00Z"}}
        """;

    [Fact]
    public async Task StatusSubresource_SplitsSpecAndStatus_AndGenerationFollowsSpec()
    {
        var ns = await _api.CreateNamespaceAsync("status");
        var (code, created) = await _api.SendAsync(HttpMethod.Post, $"/apis/batch/v1/namespaces/{ns}/cronjobs", CronJob);
        Assert.Equal(201, code);
        Assert.Null(created!["status"]?["lastScheduleTime"]);
        Assert.Equal(1, (long)created["metadata"]!["generation"]!);
        var (_, patched) = await _api.SendAsync(HttpMethod.Patch, $"/apis/batch/v1/namespaces/{ns}/cronjobs/cj/status",
            """{"status":{"lastScheduleTime":"2026-01-01T00:00:00Z"},"spec":{"schedule":"5 5 5 5 *"}}""", "application/merge-patch+json");
        Assert.Equal("2026-01-01T00:00:00Z", (string?)patched!["status"]!["lastScheduleTime"]);
        Assert.Equal("0 0 1 1 *", (string?)patched["spec"]!["schedule"]);
        Assert.Equal(1, (long)patched["metadata"]!["generation"]!);
        var (_, main) = await _api.SendAsync(HttpMethod.Patch, $"/apis/batch/v1/namespaces/{ns}/cronjobs/cj",
            """{"status":{"lastScheduleTime":"2021-01-01T00:00:00Z"},"spec":{"schedule":"5 5 5 5 *"}}""", "application/merge-patch+json");
        Assert.Equal("2026-01-01T00:00:00Z", (string?)main!["status"]!["lastScheduleTime"]);
        Assert.Equal("5 5 5 5 *", (string?)main["spec"]!["schedule"]);
        Assert.Equal(2, (long)main["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task Update_WithStaleResourceVersion_ReturnsConflict()
    {
        var ns = await _api.CreateNamespaceAsync("conflict");
        var (_, created) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"},"data":{"a":"1"}}""");
        var stale = created!.DeepClone();
        created["data"]!["a"] = "2";
        var (ok, _) = await _api.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/c", created.ToJsonString());
        Assert.Equal(200, ok);
        stale["data"]!["a"] = "3";
        var (code, status) = await _api.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/c", stale.ToJsonString());
        Assert.Equal(409, code);
        Assert.Equal("Conflict", (string?)status!["reason"]);
        Assert.Contains("the object has been modified", (string?)status["message"]);
    }

    [Fact]
    public async Task GenerateName_DryRun_AndAlreadyExists()
    {
        var ns = await _api.CreateNamespaceAsync("gen");
        var (code, obj) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"generateName":"cfg-"}}""");
        Assert.Equal(201, code);
        Assert.Matches("^cfg-[a-z0-9]{5}$", (string)obj!["metadata"]!["name"]!);
        var (dry, dryObj) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps?dryRun=All", """{"metadata":{"name":"dry"}}""");
        Assert.Equal(201, dry);
        Assert.Equal("dry", (string?)dryObj!["metadata"]!["name"]);
        Assert.Equal(404, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/dry")).Code);
        Assert.Equal(201, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"x"}}""")).Code);
        var (again, status) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"x"}}""");
        Assert.Equal(409, again);
        Assert.Equal("AlreadyExists", (string?)status!["reason"]);
    }

    [Fact]
    public async Task Finalizers_HoldDeletionUntilRemoved()
    {
        var ns = await _api.CreateNamespaceAsync("final");
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"f","finalizers":["example.com/hold"]}}""");
        var (code, deleting) = await _api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/f");
        Assert.Equal(202, code);
        Assert.NotNull(deleting!["metadata"]!["deletionTimestamp"]);
        var (still, _) = await _api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/f");
        Assert.Equal(200, still);
        var (patched, _) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/f", """{"metadata":{"finalizers":null}}""", "application/merge-patch+json");
        Assert.Equal(200, patched);
        Assert.Equal(404, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/f")).Code);
    }

    [Fact]
    public async Task NamespaceLifecycle_MissingIs404_SystemNamespacesCannotBeDeleted()
    {
        var (missing, status) = await _api.SendAsync(HttpMethod.Post, "/api/v1/namespaces/nowhere-xyz/configmaps", """{"metadata":{"name":"c"}}""");
        Assert.Equal(404, missing);
        Assert.Contains("namespaces \"nowhere-xyz\" not found", (string?)status!["message"]);
        var (forbidden, why) = await _api.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/kube-system");
        Assert.Equal(403, forbidden);
        Assert.Contains("may not be deleted", (string?)why!["message"]);
        var ns = await _api.CreateNamespaceAsync("term");
        var (deleted, _) = await _api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}");
        Assert.True(deleted is 200 or 202);
        var (terminating, reason) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""");
        Assert.Equal(403, terminating);
        Assert.Contains("because it is being terminated", (string?)reason!["message"]);
    }

    [Fact]
    public async Task Errors_AreStatusObjectsWithTheRightCodes()
    {
        var ns = await _api.CreateNamespaceAsync("errors");
        var cases = new (HttpMethod Method, string Path, string? Body, string Type, int Code)[]
        {
            (HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":", "application/json", 400),
            (HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/none", null, "application/json", 404),
            (HttpMethod.Get, "/api/v1/nosuchresource", null, "application/json", 404),
            (HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps", "{}", "application/json", 405),
            (HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{}", "text/csv", 415),
            (HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"Bad_Name\"}}", "application/json", 422),
            (HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"x\"},\"data\":" + new string('"', 1) + new string('a', 4 * 1024 * 1024) + "\"}", "application/json", 413),
        };
        foreach (var c in cases)
        {
            var (code, body) = await _api.SendAsync(c.Method, c.Path, c.Body, c.Type);
            Assert.True(c.Code == code, $"{c.Method} {c.Path} ({c.Type}): expected {c.Code}, got {code}: {body}");
            Assert.Equal("Status", (string?)body!["kind"]);
            Assert.Equal(code, (int)body["code"]!);
        }
        var (invalid, details) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"Bad_Name\"}}");
        Assert.Equal(422, invalid);
        Assert.Equal("metadata.name", (string?)details!["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task EventsAreServedInBothVersions()
    {
        var ns = await _api.CreateNamespaceAsync("events");
        var (code, _) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/events", $$"""
            {"metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","name":"p","namespace":"{{ns}}"},
             "reason":"Scheduled","message":"assigned","source":{"component":"default-scheduler"},"type":"Normal","count":2}
            """);
        Assert.Equal(201, code);
        var (ok, ev) = await _api.SendAsync(HttpMethod.Get, $"/apis/events.k8s.io/v1/namespaces/{ns}/events/e1");
        Assert.Equal(200, ok);
        Assert.Equal("events.k8s.io/v1", (string?)ev!["apiVersion"]);
        Assert.Equal("assigned", (string?)ev["note"]);
        Assert.Equal("p", (string?)ev["regarding"]!["name"]);
        Assert.Equal(2, (int)ev["deprecatedCount"]!);
    }
}
