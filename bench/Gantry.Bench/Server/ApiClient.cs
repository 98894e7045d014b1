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
        var client = new HttpClient(CreateHandler(server))
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

    /// <summary>The handler behind <see cref="Create"/>: HTTP/2 connections to the server, trusting only its CA.</summary>
    public static SocketsHttpHandler CreateHandler(ServerProcess server)
    {
        var ca = X509Certificate2.CreateFromPem(server.CaPem);
        return new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(ca, certificate, errors),
            },
        };
    }

    /// <summary>POSTs JSON; null on success, else the status and the start of the body.</summary>
    public static async Task<string?> PostAsync(HttpClient client, string path, byte[] json, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content, cancellationToken);
        return await ErrorOf(response, cancellationToken);
    }

    /// <summary>GETs and drains the body; null on success, else the status and the start of the body.</summary>
    public static async Task<string?> GetAsync(HttpClient client, string path, CancellationToken cancellationToken = default)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return await ErrorOf(response, cancellationToken);
    }

    /// <summary>Creates a namespace, accepting that it exists already.</summary>
    public static async Task CreateNamespaceAsync(HttpClient client, string name)
    {
        var error = await PostAsync(client, "/api/v1/namespaces",
            Encoding.UTF8.GetBytes($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}"""));
        if (error is not null && !error.StartsWith("409", StringComparison.Ordinal)) throw new InvalidOperationException($"creating namespace {name}: {error}");
    }

    /// <summary>Null for a success (the body drained), else the status and the start of the body.</summary>
    public static async Task<string?> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken)
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
