using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gantry.ApiServer.Http;

/// <summary>
/// An <see cref="HttpMessageHandler"/> that hands each request to the API server's own request pipeline in this process
/// — authentication, authorization, handlers, streaming watch responses — with no TLS, HTTP/2 or socket in between.
/// <c>gantry server</c>'s components use it through the same client as over HTTPS; the identity is what the request
/// carries, as over the network: its bearer token, or <see cref="X509Certificate2"/> standing in for a TLS client certificate
/// (checked against the cluster CA by the same authenticator).
/// </summary>
public sealed class InProcessHandler : HttpMessageHandler
{
    private readonly RequestDelegate _pipeline;
    private readonly X509Certificate2? _clientCertificate;

    internal InProcessHandler(RequestDelegate pipeline, X509Certificate2? clientCertificate)
    {
        _pipeline = pipeline;
        _clientCertificate = clientCertificate;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri is { IsAbsoluteUri: true } absolute ? absolute : throw new ArgumentException("the request needs an absolute URI", nameof(request));
        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var (name, values) in request.Headers) headers.Append(name, values.ToArray());
        // HTTP/2's :authority.
        if (!headers.ContainsKey("Host")) headers.Host = uri.Authority;
        var body = Stream.Null;
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers) headers.Append(name, values.ToArray());
            // Computed on first read (as a socket handler does before sending), so absent from the enumeration above.
            if (content.Headers.ContentLength is { } length) headers.ContentLength = length;
            body = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        var exchange = new InProcessExchange(request, _clientCertificate);
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/2",
            Scheme = uri.Scheme,
            Method = request.Method.Method,
            // Decoded like Kestrel's (it keeps %2F); the query stays as sent.
            Path = PathString.FromUriComponent(uri).Value ?? "/",
            PathBase = "",
            QueryString = uri.Query,
            RawTarget = uri.PathAndQuery,
            Headers = headers,
            Body = body,
        });
        features.Set<IHttpResponseFeature>(exchange);
        features.Set<IHttpResponseBodyFeature>(exchange);
        features.Set<IHttpRequestLifetimeFeature>(exchange);
        features.Set<ITlsConnectionFeature>(exchange);
        // On the thread pool, as a connection's requests are: the caller never runs server code on its own stack.
        _ = Task.Run(() => exchange.RunAsync(_pipeline, features), CancellationToken.None);
        try
        {
            return await exchange.Response.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            exchange.Abort();
            throw;
        }
    }
}
