using System.Net;
using Gantry.Bench.Server;

namespace Gantry.Bench.Api;

/// <summary>
/// The HTTPS client of the measured API loops: the same HTTP/2 handler as <see cref="ApiClient.Create"/> (TLS, the
/// server's CA, bearer token), driven through <see cref="HttpMessageInvoker"/> instead of <see cref="HttpClient"/>.
/// The client runs on the same two cores as the server, so its cost per request is part of every figure: HttpClient
/// adds a timeout timer (a linked token source and a timer-queue entry) and a copy of its default headers per request,
/// and parses the URI and the content type each time. Here the URIs are built once, the headers are constant values,
/// and one deadline for the whole measurement stands in for the per-request timeout.
/// </summary>
internal sealed class MeasuredClient(ServerProcess server) : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(ApiClient.CreateHandler(server), disposeHandler: true);
    private readonly string _authorization = "Bearer " + server.Token;

    /// <summary>POSTs JSON; null on success, else the status and the start of the body.</summary>
    public Task<string?> PostAsync(Uri uri, byte[] json, CancellationToken cancellationToken)
    {
        var request = Request(HttpMethod.Post, uri);
        request.Content = new ByteArrayContent(json);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return SendAsync(request, cancellationToken);
    }

    /// <summary>GETs and drains the body; null on success, else the status and the start of the body.</summary>
    public Task<string?> GetAsync(Uri uri, CancellationToken cancellationToken) => SendAsync(Request(HttpMethod.Get, uri), cancellationToken);

    public void Dispose() => _invoker.Dispose();

    private HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TryAddWithoutValidation("Authorization", _authorization);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        return request;
    }

    private async Task<string?> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await _invoker.SendAsync(request, cancellationToken);
            return await ApiClient.ErrorOf(response, cancellationToken);
        }
    }
}
