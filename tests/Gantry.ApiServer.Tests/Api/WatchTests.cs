using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class WatchTests(ServerFixture fixture) : IDisposable
{
    private readonly RawApi _api = new(fixture.Server);

    public void Dispose() => _api.Dispose();

    private async Task<List<JsonNode>> ReadEventsAsync(string path, int count, Func<Task>? afterStart = null)
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
        }
        return events;
    }

    [Fact]
    public async Task Watch_ResumesFromAResourceVersion_InOrder()
    {
        var ns = $"watch-{Guid.NewGuid().ToString("N")[..8]}";
        await _api.SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        var (_, a) = await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"a\"}}");
        var rv = (string)a!["metadata"]!["resourceVersion"]!;
        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"b\"}}");
        await _api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/a", "{\"data\":{\"k\":\"v\"}}", "application/merge-patch+json");
        await _api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/b");
        var events = await ReadEventsAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}", 3);
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
