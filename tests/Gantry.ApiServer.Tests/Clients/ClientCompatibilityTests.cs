using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Clients;

/// <summary>Protocol details that real clients (Python's urllib3, HTTP/1.1 clients, YAML senders) depend on.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientCompatibilityTests(ServerFixture fixture) : IDisposable
{
    private readonly HttpClient _http = KubeHttp.Create(fixture.Server);

    public void Dispose() => _http.Dispose();

    private async Task<string> NewNamespaceWithConfigMapAsync()
    {
        var ns = "compat-" + Guid.NewGuid().ToString("N")[..10];
        using var created = await _http.PostAsync("/api/v1/namespaces", Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var cm = await _http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one"}}"""));
        Assert.Equal(HttpStatusCode.Created, cm.StatusCode);
        return ns;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static HttpRequestMessage Http11(string path) => new(HttpMethod.Get, path) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    [Fact]
    public async Task Version_WithTrailingSlash_AnswersLikeVersion()
    {
        // The Python client's VersionApi asks for "/version/".
        using var response = await _http.GetAsync("/version/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("v1.32.0+gantry", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Watch_OverHttp11_IsChunkFramed()
    {
        var ns = await NewNamespaceWithConfigMapAsync();
        using var request = Http11($"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=1");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(); // throws on broken chunked framing
        // Every line is a whole event; the root CA publisher's kube-root-ca.crt may come first.
        var events = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(events, e => Assert.Equal("ADDED", e.GetProperty("type").GetString()));
        Assert.Contains(events, e => e.GetProperty("object").GetProperty("metadata").GetProperty("name").GetString() == "one");
    }

    [Theory]
    [InlineData("True")] // what the Python client sends
    [InlineData("1")]
    [InlineData("true")]
    public async Task WatchQuery_AcceptsGoBooleanSpellings(string value)
    {
        var ns = await NewNamespaceWithConfigMapAsync();
        // Over HTTP/2 so this checks only the query parsing, not HTTP/1.1 chunk framing (tested above).
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch={value}&timeoutSeconds=1")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("{\"type\":\"ADDED\"", body);
    }

    [Fact]
    public async Task Create_WithYamlBody_StoresTheObject()
    {
        var ns = await NewNamespaceWithConfigMapAsync();
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n  labels:\n    app: web\ndata:\n  enabled: \"true\"\n  count: \"3\"\n";
        using var created = await _http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{(int)created.StatusCode} {text}");
        var data = JsonDocument.Parse(text).RootElement.GetProperty("data");
        Assert.Equal("true", data.GetProperty("enabled").GetString());
        Assert.Equal("3", data.GetProperty("count").GetString());
    }
}
