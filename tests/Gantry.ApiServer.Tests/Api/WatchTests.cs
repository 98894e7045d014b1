using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class WatchTests(ServerFixture fixture) : IDisposable
{
    private readonly RawApi _api = new(fixture.Server);

    public void Dispose() => _api.Dispose();

    private async Task<List<JsonNode>> ReadEventsAsync(string path, int count, Func<Task>? afterStart = null, Func<JsonNode, bool>? last = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await _api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        if (afterStart is not null) await afterStart();
        var events = new List<JsonNode>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (events.Count < count)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            if (line is null) break;
            events.Add(JsonNode.Parse(line)!);
            if (last?.Invoke(events[^1]) == true) break;
        }
        return events;
    }

    [Fact]
    public async Task Watch_ResumesFromAResourceVersion_InOrder()
    {
        // Secrets: no controller writes any into a new namespace (kube-root-ca.crt is a configmap), so only ours show.
        var ns = $"watch-{Guid.NewGuid().ToString("N")[..8]}";
        await _api.SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        var (_, a) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/secrets", "{\"metadata\":{\"name\":\"a\"}}");
        var rv = (string)a!["metadata"]!["resourceVersion"]!;
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/secrets", "{\"metadata\":{\"name\":\"b\"}}");
        await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/secrets/a", "{\"stringData\":{\"k\":\"v\"}}", "application/merge-patch+json");
        await _api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/secrets/b");
        var events = await ReadEventsAsync($"/api/v1/namespaces/{ns}/secrets?watch=true&resourceVersion={rv}", 3);
        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], events.Select(e => (string)e["type"]!));
        Assert.Equal(["b", "a", "b"], events.Select(e => (string)e["object"]!["metadata"]!["name"]!));
        var revisions = events.Select(e => long.Parse((string)e["object"]!["metadata"]!["resourceVersion"]!)).ToList();
        Assert.Equal(revisions.Order(), revisions);
    }

    [Fact]
    public async Task Watch_FromACompactedVersion_SendsExpiredErrorInsideA200Stream()
    {
        var events = await ReadEventsAsync("/api/v1/configmaps?watch=true&resourceVersion=1", 1);
        Assert.Equal("ERROR", (string?)events[0]["type"]);
        Assert.Equal(410, (int)events[0]["object"]!["code"]!);
        Assert.Equal("Expired", (string?)events[0]["object"]!["reason"]);
    }

    [Fact]
    public async Task Watch_WithLabelSelector_SeesObjectsLeaveTheSelectionAsDeleted()
    {
        var ns = $"wsel-{Guid.NewGuid().ToString("N")[..8]}";
        await _api.SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        var (_, c) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"c\",\"labels\":{\"t\":\"1\"}}}");
        var rv = (string)c!["metadata"]!["resourceVersion"]!;
        var events = await ReadEventsAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&labelSelector=t%3D1&resourceVersion={rv}", 2, async () =>
        {
            await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/c", "{\"metadata\":{\"labels\":{\"t\":\"2\"}}}", "application/merge-patch+json");
            await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/c", "{\"metadata\":{\"labels\":{\"t\":\"1\"}}}", "application/merge-patch+json");
        });
        Assert.Equal(["DELETED", "ADDED"], events.Select(e => (string)e["type"]!));
    }

    [Fact]
    public async Task Watch_OfOneNodesPods_SeesPodsBoundToItAndNoOthers()
    {
        var ns = $"wnode-{Guid.NewGuid().ToString("N")[..8]}";
        await _api.SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        static string Pod(string name, string? node) =>
            "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + (node is null ? "" : "\"nodeName\":\"" + node + "\",") +
            "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
        var (_, pending) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod("a", null));
        var rv = (string)pending!["metadata"]!["resourceVersion"]!;
        var events = await ReadEventsAsync($"/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dnode-w1&resourceVersion={rv}", 10, async () =>
        {
            await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod("b", "node-w2"));
            await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/a/binding",
                "{\"metadata\":{\"name\":\"a\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-w1\"}}");
            await _api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/b?gracePeriodSeconds=0");
            await _api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/a?gracePeriodSeconds=0");
        }, e => (string)e["type"]! == "DELETED");
        // The pending pod enters the selection when bound (ADDED) and leaves it when deleted (pod GC may touch it in
        // between: the node does not exist); the other node's pod is never seen.
        Assert.Equal("ADDED", (string)events[0]["type"]!);
        Assert.Equal("DELETED", (string)events[^1]["type"]!);
        Assert.All(events, e => Assert.Equal("a", (string)e["object"]!["metadata"]!["name"]!));
        Assert.All(events, e => Assert.Equal("a", (string)e["object"]!["metadata"]!["name"]!));
    }

    [Fact]
    public async Task TableWatch_SendsColumnDefinitionsOnce()
    {
        var ns = $"wtab-{Guid.NewGuid().ToString("N")[..8]}";
        await _api.SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"a\"}}");
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"b\"}}");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch=true");
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        using var response = await _api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        var second = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        Assert.Equal("Table", (string?)first["object"]!["kind"]);
        Assert.NotEmpty(first["object"]!["columnDefinitions"]!.AsArray());
        Assert.Null(second["object"]!["columnDefinitions"]);
        Assert.Equal("b", (string?)second["object"]!["rows"]![0]!["cells"]![0]);
    }
}
