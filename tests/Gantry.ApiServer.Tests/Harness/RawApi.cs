using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gantry.ApiServer.Tests.Harness;

/// <summary>Plain HTTPS requests to the server with the admin token, for API semantics kubectl does not expose.</summary>
public sealed partial class RawApi : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>Creates a client from the server's kubeconfig.</summary>
    public RawApi(GantryServer server)
    {
        var kubeconfig = File.ReadAllText(server.Kubeconfig);
        var token = TokenLine().Match(kubeconfig).Groups[1].Value;
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        _http = new HttpClient(handler) { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The underlying client.</summary>
    public HttpClient Http => _http;

    /// <summary>Sends a request and returns the status code and parsed JSON body (null when not JSON).</summary>
    public async Task<(int Code, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        if (body is not null) request.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try { json = text.Length > 0 ? JsonNode.Parse(text) : null; }
        catch (System.Text.Json.JsonException) { }
        return ((int)response.StatusCode, json);
    }

    /// <summary>Creates a namespace named <paramref name="prefix"/> plus a random suffix and returns its name.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        var (code, _) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + name + "\"}}");
        Assert.Equal(201, code);
        return name;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    [GeneratedRegex(@"token: (\S+)")]
    private static partial Regex TokenLine();
}
