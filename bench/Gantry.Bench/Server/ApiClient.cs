using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gantry.Bench.Server;

/// <summary>HTTP/2 clients for a <see cref="ServerProcess"/>: trusts only its CA, sends its admin bearer token.</summary>
internal static class ApiClient
{
    /// <summary>One client = one handler = its own HTTP/2 connection(s); more are opened when a connection's stream limit is reached.</summary>
    public static HttpClient Create(ServerProcess server, TimeSpan? timeout = null)
    {
        var ca = X509Certificate2.CreateFromPem(server.CaPem);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(ca, certificate, errors),
            },
        };
        var client = new HttpClient(handler)
        {
            BaseAddress = server.Url,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>POSTs JSON; null on success, else the status and the start of the body.</summary>
    public static Task<string?> PostAsync(HttpClient client, string path, byte[] json, CancellationToken cancellationToken = default) =>
        PostAsync(client, new Uri(path, UriKind.Relative), json, cancellationToken);

    /// <summary>
    /// POSTs JSON to a URI the caller built once (a measured loop should not parse the same path per request); the answer
    /// is drained as it streams in rather than buffered first. Null on success, else the status and the start of the body.
    /// </summary>
    public static async Task<string?> PostAsync(HttpClient client, Uri uri, byte[] json, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(json) };
        // A constant, known-valid value: no parsing into a MediaTypeHeaderValue per request.
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return await ErrorOf(response, cancellationToken);
    }

    /// <summary>GETs and drains the body; null on success, else the status and the start of the body.</summary>
    public static Task<string?> GetAsync(HttpClient client, string path, CancellationToken cancellationToken = default) =>
        GetAsync(client, new Uri(path, UriKind.Relative), cancellationToken);

    /// <summary>GETs a URI the caller built once and drains the body; null on success, else the status and the start of the body.</summary>
    public static async Task<string?> GetAsync(HttpClient client, Uri uri, CancellationToken cancellationToken = default)
    {
        using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return await ErrorOf(response, cancellationToken);
    }

    /// <summary>Creates a namespace, accepting that it exists already.</summary>
    public static async Task CreateNamespaceAsync(HttpClient client, string name)
    {
        var error = await PostAsync(client, "/api/v1/namespaces",
            Encoding.UTF8.GetBytes($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}"""));
        if (error is not null && !error.StartsWith("409", StringComparison.Ordinal)) throw new InvalidOperationException($"creating namespace {name}: {error}");
    }

    private static async Task<string?> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
            return null;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}";
    }

    private static bool Trusted(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
