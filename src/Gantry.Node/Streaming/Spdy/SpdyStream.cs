using System.IO.Pipelines;

namespace Gantry.Node.Streaming.Spdy;

/// <summary>
/// One client-opened SPDY stream as a duplex <see cref="Stream"/>: reads return the client's DATA until its FIN (or
/// a reset), writes send DATA frames, and disposing sends FIN (half-close), as spdystream's Close.
/// </summary>
internal sealed class SpdyStream : AsyncOnlyStream
{
    private const int MaxDataFrame = 32 * 1024;
    private readonly SpdyConnection _connection;
    private readonly Pipe _inbound = new(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));
    private readonly Stream _reader;
    private int _localClosed;
    private int _remoteClosed;

    public SpdyStream(SpdyConnection connection, uint id, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        _connection = connection;
        Id = id;
        Headers = headers;
        _reader = _inbound.Reader.AsStream();
    }

    public uint Id { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The first value of a header, case-insensitively.</summary>
    public string? Header(string name) => SpdyFrame.FirstValue(Headers, name);

    internal async ValueTask OnRemoteDataAsync(ReadOnlyMemory<byte> data, bool fin, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _remoteClosed) != 0) return;
        if (!data.IsEmpty) await _inbound.Writer.WriteAsync(data, cancellationToken);
        if (fin && Interlocked.Exchange(ref _remoteClosed, 1) == 0)
        {
            await _inbound.Writer.CompleteAsync();
            if (Volatile.Read(ref _localClosed) != 0) _connection.Remove(Id);
        }
    }

    internal void OnRemoteReset()
    {
        Interlocked.Exchange(ref _localClosed, 1);
        if (Interlocked.Exchange(ref _remoteClosed, 1) == 0) _inbound.Writer.Complete();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        await _reader.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _localClosed) != 0) throw new IOException($"SPDY stream {Id} is closed");
        for (var at = 0; at < buffer.Length; at += MaxDataFrame)
        {
            var chunk = buffer.Slice(at, Math.Min(MaxDataFrame, buffer.Length - at));
            await _connection.SendAsync(new SpdyFrame { Type = SpdyFrameType.Data, StreamId = Id, Data = chunk }, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Sends FIN: no more data from this side. Idempotent; a broken connection is ignored.</summary>
    public async Task CloseWriteAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _localClosed, 1) != 0) return;
        try
        {
            await _connection.SendAsync(new SpdyFrame { Type = SpdyFrameType.Data, StreamId = Id, Flags = SpdyFrame.FlagFin }, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
        }
        if (Volatile.Read(ref _remoteClosed) != 0) _connection.Remove(Id);
    }

    /// <summary>Aborts the stream with RST_STREAM (CANCEL).</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _localClosed, 1) != 0 && Volatile.Read(ref _remoteClosed) != 0) return;
        OnRemoteReset();
        _connection.Remove(Id);
        try
        {
            await _connection.SendAsync(new SpdyFrame { Type = SpdyFrameType.RstStream, StreamId = Id, Status = 5 }, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseWriteAsync();
        await base.DisposeAsync();
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
}
