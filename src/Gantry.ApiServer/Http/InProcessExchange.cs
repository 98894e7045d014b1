using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gantry.ApiServer.Http;

/// <summary>
/// One request served in process: the response, body, lifetime and TLS features the server's pipeline sees in place of
/// Kestrel's, and the <see cref="HttpResponseMessage"/> the client gets once the response has started. The body goes
/// through a <see cref="Pipe"/>: a client that stops reading holds the server's writes back, like HTTP/2 flow control.
/// </summary>
internal sealed class InProcessExchange : IHttpResponseFeature, IHttpResponseBodyFeature, IHttpRequestLifetimeFeature, ITlsConnectionFeature
{
    private readonly Pipe _body = new(new PipeOptions(useSynchronizationContext: false));
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource<HttpResponseMessage> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpRequestMessage _request;
    private readonly InProcessResponseWriter _writer;
    private readonly Stream _stream;
    private List<(Func<object, Task> Callback, object State)>? _starting;
    private List<(Func<object, Task> Callback, object State)>? _completed;
    // 1 once aborted or finished: the token source is then cancelled or disposed, and never touched again.
    private int _closed;

    public InProcessExchange(HttpRequestMessage request, X509Certificate2? clientCertificate)
    {
        _request = request;
        ClientCertificate = clientCertificate;
        RequestAborted = _aborted.Token;
        _writer = new InProcessResponseWriter(_body.Writer, this);
        _stream = _writer.AsStream(leaveOpen: true);
    }

    /// <summary>The client's answer: completes when the server starts its response.</summary>
    public Task<HttpResponseMessage> Response => _headers.Task;

    /// <summary>Runs the server's pipeline for this request, then finishes the response body.</summary>
    public async Task RunAsync(RequestDelegate pipeline, IFeatureCollection features)
    {
        Exception? failure = null;
        try
        {
            await pipeline(new DefaultHttpContext(features));
        }
        catch (Exception ex)
        {
            failure = ex;
            if (!HasStarted) StatusCode = (int)HttpStatusCode.InternalServerError;
        }
        // An error after the headers went out cuts the body short, as a reset stream would; one before them is a 500.
        var cut = failure is not null && HasStarted;
        try
        {
            await StartAsync();
        }
        catch (Exception ex)
        {
            _headers.TrySetException(ex);
        }
        await _writer.CompleteAsync(cut ? new IOException("the in-process response failed", failure) : null);
        if (_completed is not null)
        {
            for (var i = _completed.Count - 1; i >= 0; i--) await _completed[i].Callback(_completed[i].State);
        }
        if (Interlocked.Exchange(ref _closed, 1) == 0) _aborted.Dispose();
    }

    /// <summary>The client gave up (cancelled before the headers, or disposed the response): the server sees RequestAborted.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _aborted.Cancel();
            _aborted.Dispose();
        }
        // Unblocks a writer waiting for the client to read; its later writes are dropped.
        _body.Reader.Complete();
    }

    public int StatusCode { get; set; } = (int)HttpStatusCode.OK;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    public Stream Body
    {
        get => _stream;
        set => throw new NotSupportedException("the in-process response body cannot be replaced");
    }

    public bool HasStarted { get; private set; }

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (HasStarted) throw new InvalidOperationException("the response has already started");
        (_starting ??= []).Add((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => (_completed ??= []).Add((callback, state));

    public Stream Stream => _stream;

    public PipeWriter Writer => _writer;

    public void DisableBuffering()
    {
        // Nothing is buffered beyond the pipe, which the client drains as the server flushes.
    }

    /// <summary>Runs the OnStarting callbacks and hands the status and headers to the client.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted) return;
        if (_starting is not null)
        {
            for (var i = _starting.Count - 1; i >= 0; i--) await _starting[i].Callback(_starting[i].State);
        }
        HasStarted = true;
        _headers.TrySetResult(ToMessage());
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        SendFileFallback.SendFileAsync(_stream, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        await StartAsync();
        await _writer.CompleteAsync();
    }

    public CancellationToken RequestAborted { get; set; }

    void IHttpRequestLifetimeFeature.Abort() => Abort();

    public X509Certificate2? ClientCertificate { get; set; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    private HttpResponseMessage ToMessage()
    {
        var message = new HttpResponseMessage((HttpStatusCode)StatusCode)
        {
            RequestMessage = _request,
            Version = _request.Version,
            Content = new StreamContent(new InProcessResponseStream(_body.Reader.AsStream(), this)),
        };
        if (ReasonPhrase is not null) message.ReasonPhrase = ReasonPhrase;
        foreach (var (name, values) in Headers)
        {
            // Content-Type, Content-Length and the like belong to the content's headers.
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values)) message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        return message;
    }
}
