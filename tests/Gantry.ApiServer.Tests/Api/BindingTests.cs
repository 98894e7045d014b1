using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class BindingTests(ServerFixture fixture) : IDisposable
{
    private readonly RawApi _api = new(fixture.Server);

    public void Dispose() => _api.Dispose();

    // A scheduler name no scheduler serves, so only the test binds the pod.
    private static string PendingPod(string name) =>
        "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"schedulerName\":\"test-nobody\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";

    private static string Binding(string pod, string node) =>
        "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod + "\"},\"target\":{\"kind\":\"Node\",\"name\":\"" + node + "\"}}";

    private static JsonNode? PodScheduled(JsonNode pod) =>
        pod["status"]?["conditions"]?.AsArray().SingleOrDefault(c => (string?)c?["type"] == "PodScheduled");

    [Fact]
    public async Task Binding_SetsNodeNameAndPodScheduledTrue()
    {
        var ns = await _api.CreateNamespaceAsync("bind");
        Assert.Equal(201, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", PendingPod("a"))).Code);

        var (code, status) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/a/binding", Binding("a", "node-b1"));

        Assert.Equal(201, code);
        Assert.Equal("Success", (string?)status!["status"]);
        var (_, pod) = await _api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/a");
        Assert.Equal("node-b1", (string?)pod!["spec"]!["nodeName"]);
        var condition = PodScheduled(pod);
        Assert.NotNull(condition);
        Assert.Equal("True", (string?)condition["status"]);
        Assert.True(DateTimeOffset.TryParse((string?)condition["lastTransitionTime"], out _));
    }

    [Fact]
    public async Task StatusPatchAfterBinding_WithAnUnknownField_IsRefusedWhenStrict_AndPrunedOtherwise()
    {
        var ns = await _api.CreateNamespaceAsync("bind");
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", PendingPod("a"));
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/a/binding", Binding("a", "node-b3"));
        const string patch = "{\"status\":{\"phase\":\"Running\",\"bogus\":1}}";

        var (strict, error) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/a/status?fieldValidation=Strict", patch,
            "application/strategic-merge-patch+json");
        Assert.Equal(400, strict);
        Assert.Contains("strict decoding error: unknown field \"status.bogus\"", (string?)error!["message"]);

        var (ignored, pod) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/a/status?fieldValidation=Ignore", patch,
            "application/strategic-merge-patch+json");
        Assert.Equal(200, ignored);
        Assert.Equal("Running", (string?)pod!["status"]!["phase"]);
        Assert.False(pod["status"]!.AsObject().ContainsKey("bogus"));
        Assert.Equal("node-b3", (string?)pod["spec"]!["nodeName"]);
    }

    [Fact]
    public async Task Binding_ReplacesAnUnschedulableCondition()
    {
        var ns = await _api.CreateNamespaceAsync("bind");
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", PendingPod("a"));
        var (patched, _) = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/a/status",
            "{\"status\":{\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\",\"reason\":\"Unschedulable\",\"message\":\"0/0 nodes are available\",\"lastTransitionTime\":\"2020-01-01T00:00:00Z\"}]}}",
            "application/strategic-merge-patch+json");
        Assert.Equal(200, patched);

        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/a/binding", Binding("a", "node-b2"));

        var (_, pod) = await _api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/a");
        var condition = PodScheduled(pod!);
        Assert.NotNull(condition);
        Assert.Equal("True", (string?)condition["status"]);
        Assert.Null(condition["reason"]);
        Assert.Null(condition["message"]);
        Assert.NotEqual("2020-01-01T00:00:00Z", (string?)condition["lastTransitionTime"]);
    }

    [Fact]
    public async Task Binding_AnAssignedPod_IsAConflictAndKeepsTheFirstNode()
    {
        var ns = await _api.CreateNamespaceAsync("bind");
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", PendingPod("a"));
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/a/binding", Binding("a", "node-b3"));

        var (code, status) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/a/binding", Binding("a", "node-b4"));

        Assert.Equal(409, code);
        Assert.Contains("already assigned to node \"node-b3\"", (string?)status!["message"]);
        var (_, pod) = await _api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/a");
        Assert.Equal("node-b3", (string?)pod!["spec"]!["nodeName"]);
    }
}
