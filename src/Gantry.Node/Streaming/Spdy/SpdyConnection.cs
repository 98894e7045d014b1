using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Gantry.Node.Streaming.Spdy;

/// <summary>
/// The server end of a SPDY/3.1 connection as Kubernetes uses it (moby/spdystream): the client opens streams, the
/// server answers each SYN_STREAM with a SYN_REPLY and hands it to the caller. Like spdystream there is no flow
/// control: WINDOW_UPDATE and SETTINGS are read and ignored, and none are sent (Go's peer never sends them either,
/// so enforcing windows would stall after 64 KiB).
/// </summary>
internal sealed class SpdyConnection : IAsyncDisposable
{
    private readonly Stream _transport;
    private readonly SpdyFramer _framer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, SpdyStream> _streams = new();
    private readonly Channel<SpdyStream> _incoming = Channel.CreateUnbounded<SpdyStream>();
    private uint _lastClientStream;
    private int _goneAway;

    public SpdyConnection(Stream transport)
    {
        _transport = transport;
        _framer = new SpdyFramer(transport);
    }

    /// <summary>Streams the client opened, already replied to, in the order they were opened.</summary>
    public ChannelReader<SpdyStream> IncomingStreams => _incoming.Reader;

    /// <summary>Reads frames until the client closes the connection, sends GOAWAY, or the token fires (a normal end too).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _framer.ReadAsync(cancellationToken) is { } frame)
            {
                if (!await HandleAsync(frame, cancellationToken)) break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The session is over on this side.
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or EndOfStreamException or ObjectDisposedException
            or System.Net.WebSockets.WebSocketException)
        {
            // The connection broke; the streams end below and the caller's pumps stop.
        }
        finally
        {
            _incoming.Writer.TryComplete();
            foreach (var stream in _streams.Values) stream.OnRemoteReset();
        }
    }

    private async ValueTask<bool> HandleAsync(SpdyFrame frame, CancellationToken cancellationToken)
    {
        switch (frame.Type)
        {
            case SpdyFrameType.SynStream:
                // Client streams are odd and increasing; anything else is refused as spdystream does.
                if (frame.StreamId % 2 == 0 || frame.StreamId <= _lastClientStream || Volatile.Read(ref _goneAway) != 0)
                {
                    await SendAsync(new SpdyFrame { Type = SpdyFrameType.RstStream, StreamId = frame.StreamId, Status = 1 }, cancellationToken);
                    return true;
                }
                _lastClientStream = frame.StreamId;
                var stream = new SpdyStream(this, frame.StreamId, frame.Headers);
                _streams[frame.StreamId] = stream;
                await SendAsync(new SpdyFrame { Type = SpdyFrameType.SynReply, StreamId = frame.StreamId }, cancellationToken);
                if (frame.IsFin) await stream.OnRemoteDataAsync(ReadOnlyMemory<byte>.Empty, fin: true, cancellationToken);
                await _incoming.Writer.WriteAsync(stream, cancellationToken);
                return true;
            case SpdyFrameType.Data:
                if (_streams.TryGetValue(frame.StreamId, out var target))
                    await target.OnRemoteDataAsync(frame.Data, frame.IsFin, cancellationToken);
                return true;
            case SpdyFrameType.Headers when frame.IsFin:
                if (_streams.TryGetValue(frame.StreamId, out var finished))
                    await finished.OnRemoteDataAsync(ReadOnlyMemory<byte>.Empty, fin: true, cancellationToken);
                return true;
            case SpdyFrameType.RstStream:
                if (_streams.TryRemove(frame.StreamId, out var reset)) reset.OnRemoteReset();
                return true;
            case SpdyFrameType.Ping:
                // Answer the client's (odd) pings; an even id would be the echo of one of ours (we send none).
                if (frame.PingId % 2 == 1) await SendAsync(frame with { Flags = 0 }, cancellationToken);
                return true;
            case SpdyFrameType.GoAway:
                Interlocked.Exchange(ref _goneAway, 1);
                return false;
            default:
                return true;
        }
    }

    /// <summary>Writes one frame; frames never interleave and header blocks keep the zlib stream's order.</summary>
    internal async Task SendAsync(SpdyFrame frame, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var bytes = _framer.Encode(frame);
            await _transport.WriteAsync(bytes, cancellationToken);
            await _transport.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Forgets a stream both sides finished.</summary>
    internal void Remove(uint streamId) => _streams.TryRemove(streamId, out _);

    /// <summary>Sends GOAWAY (best effort) so the client stops opening streams.</summary>
    public async Task GoAwayAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _goneAway, 1) != 0) return;
        try
        {
            await SendAsync(new SpdyFrame { Type = SpdyFrameType.GoAway, StreamId = _lastClientStream }, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // The client is gone already.
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in _streams.Values) stream.OnRemoteReset();
        await _writeLock.WaitAsync();
        try
        {
            _framer.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
