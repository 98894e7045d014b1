using System.IO.Pipelines;

namespace Gantry.ApiServer.Http;

/// <summary>
/// The response body writer of an in-process request: the pipe to the client, which starts the response (status and
/// headers to the client) at the first flush, as Kestrel sends its headers with the first body bytes.
/// </summary>
internal sealed class InProcessResponseWriter(PipeWriter inner, InProcessExchange exchange) : PipeWriter
{
    private bool _completed;

    public override void Advance(int bytes) => inner.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (!exchange.HasStarted) await exchange.StartAsync(cancellationToken);
        return await inner.FlushAsync(cancellationToken);
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed) return;
        _completed = true;
        inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        if (_completed) return ValueTask.CompletedTask;
        _completed = true;
        return inner.CompleteAsync(exception);
    }
}
