using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;

namespace Gantry.Client.Transport;

/// <summary>Sends JSON requests over one shared HttpClient and turns error responses into <see cref="ApiClientException"/>.</summary>
internal sealed class RestTransport : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;

    public RestTransport(HttpMessageHandler handler, bool disposeHandler, Uri server, string? bearerToken, ApiClientOptions options)
    {
        _http = new HttpClient(handler, disposeHandler)
        {
            BaseAddress = server,
            // Watches last minutes; ordinary requests get their own deadline in SendAsync.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        if (bearerToken is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        _requestTimeout = options.RequestTimeout;
    }

    /// <summary>The JSON body of an object, with the Kubernetes serializer settings.</summary>
    public static HttpContent Json(object body, string? mediaType = null)
    {
        var bytes = body switch
        {
            byte[] raw => raw,
            string text => System.Text.Encoding.UTF8.GetBytes(text),
            _ => JsonSerializer.SerializeToUtf8Bytes(body, KubernetesJsonOptions.TypeInfo(body.GetType())),
        };
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = mediaType is null ? JsonType : new MediaTypeHeaderValue(mediaType);
        return content;
    }

    /// <summary>Sends a request and deserializes the answer; null when <paramref name="nullOnNotFound"/> and the answer is 404.</summary>
    public Task<TResult?> SendAsync<TResult>(HttpMethod method, string path, HttpContent? content, bool nullOnNotFound, CancellationToken cancellationToken)
        where TResult : class =>
        SendAsync(method, path, content, KubernetesJsonOptions.TypeInfo<TResult>(), nullOnNotFound, cancellationToken);

    /// <summary>Sends a request and deserializes the answer with the given metadata; null when <paramref name="nullOnNotFound"/> and the answer is 404.</summary>
    public async Task<TResult?> SendAsync<TResult>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<TResult> metadata, bool nullOnNotFound,
        CancellationToken cancellationToken)
        where TResult : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_requestTimeout);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token, cancellationToken).ConfigureAwait(false);
        if (nullOnNotFound && response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, deadline.Token).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync(stream, metadata, deadline.Token).ConfigureAwait(false)
            ?? throw new ApiClientException(response.StatusCode, null, $"{method} {path}: empty response");
    }

    /// <summary>Sends a request whose answer is not needed; false when <paramref name="falseOnNotFound"/> and the answer is 404.</summary>
    public async Task<bool> SendAsync(HttpMethod method, string path, HttpContent? content, bool falseOnNotFound, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_requestTimeout);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token, cancellationToken).ConfigureAwait(false);
        if (falseOnNotFound && response.StatusCode == HttpStatusCode.NotFound) return false;
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, deadline.Token).ConfigureAwait(false);
        return true;
    }

    /// <summary>Opens a streaming response (watch); the caller disposes it.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken token, CancellationToken caller)
    {
        // DefaultRequestVersion only applies to HttpClient's shortcut methods, not to messages built by hand.
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        try
        {
            return await _http.SendAsync(request, completion, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            throw new TimeoutException($"{request.Method} {request.RequestUri}: no answer within {_requestTimeout}");
        }
    }

    /// <summary>The exception for an error response, carrying the server's Status when it sent one.</summary>
    public static async Task<ApiClientException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        V1Status? status = null;
        if (body.Length > 0 && body[0] == (byte)'{')
        {
            try { status = JsonSerializer.Deserialize(body, KubernetesJsonOptions.TypeInfo<V1Status>()); }
            catch (JsonException) { }
        }
        var fallback = body.Length == 0 ? null : System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512));
        return FromStatus(response.StatusCode, status, fallback);
    }

    /// <summary>The typed exception of a status code.</summary>
    public static ApiClientException FromStatus(HttpStatusCode code, V1Status? status, string? fallback = null) =>
        code == HttpStatusCode.Conflict && (status?.Reason is null or "Conflict")
            ? new ConflictException(status, fallback)
            : new ApiClientException(code, status, fallback);

    public void Dispose() => _http.Dispose();
}
