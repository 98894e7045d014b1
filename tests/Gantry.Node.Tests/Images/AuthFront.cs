using System.Net;
using System.Text;

namespace Gantry.Node.Tests.Images;

/// <summary>
/// An authenticating front for the test registry on 127.0.0.1: it answers 401 with a Basic or Bearer challenge as
/// Docker Hub and registries with htpasswd do, serves tokens at /token for the right basic credentials, and forwards
/// authorized requests to the real registry behind it.
/// </summary>
internal sealed class AuthFront : IAsyncDisposable
{
    public const string User = "puller";
    public const string Password = "s3cret";
    private const string Token = "t0k3n-for-tests";
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new();
    private readonly string _scheme;
    private readonly string _upstreamHost;
    private readonly Task _serving;

    public AuthFront(string scheme, string upstreamHost)
    {
        _scheme = scheme;
        _upstreamHost = upstreamHost;
        Port = LocalRegistry.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    /// <summary>The query strings of token requests (service and scope).</summary>
    public List<string> TokenRequests { get; } = [];

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            try
            {
                await HandleAsync(context);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Password));
        if (request.Url!.AbsolutePath == "/token")
        {
            lock (TokenRequests) TokenRequests.Add(request.Url.Query);
            response.StatusCode = request.Headers["Authorization"] == basic ? 200 : 401;
            if (response.StatusCode == 200) await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($$"""{"token":"{{Token}}"}"""));
            return;
        }
        var expected = _scheme == "Basic" ? basic : "Bearer " + Token;
        if (request.Headers["Authorization"] != expected)
        {
            response.StatusCode = 401;
            var repository = request.Url.AbsolutePath.Split("/manifests/")[0].Split("/blobs/")[0].Replace("/v2/", "");
            response.AddHeader("WWW-Authenticate", _scheme == "Basic"
                ? "Basic realm=\"test-registry\""
                : $"Bearer realm=\"http://{Host}/token\",service=\"gantry-test\",scope=\"repository:{repository}:pull\"");
            return;
        }
        using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), $"http://{_upstreamHost}{request.Url.PathAndQuery}");
        if (request.Headers["Accept"] is { } accept) forward.Headers.TryAddWithoutValidation("Accept", accept);
        using var upstream = await _upstream.SendAsync(forward);
        response.StatusCode = (int)upstream.StatusCode;
        if (upstream.Content.Headers.ContentType is { } type) response.ContentType = type.ToString();
        var body = await upstream.Content.ReadAsByteArrayAsync();
        await response.OutputStream.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: Stop then Close removes the prefix twice, and the second removal binds the port anew (failing
        // with "address already in use" once another test took it).
        _listener.Close();
        await _serving;
        _upstream.Dispose();
    }
}
