using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;

namespace Gantry.Node.Streaming.WebSockets;

/// <summary>
/// One exec/attach WebSocket speaking a channel protocol: writes are serialized one message per call, the reader
/// feeds stdin into a pipe, resize messages into a callback and v5 close signals into half-closes.
/// </summary>
internal sealed class ChannelWebSocket(WebSocket socket, int version)
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Pipe _stdin = new(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));

    /// <summary>The protocol version (1..5).</summary>
    public int Version => version;

    /// <summary>A stream whose writes become messages on <paramref name="channel"/>.</summary>
    public Stream OutputChannel(byte channel) => new ChannelWriteStream(this, channel);

    /// <summary>What the client sent on the stdin channel, ending at its v5 close signal or the socket's end.</summary>
    public Stream StdinStream => field ??= _stdin.Reader.AsStream();

    /// <summary>Sends one message on a channel.</summary>
    public async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var message = ArrayPool<byte>.Shared.Rent(data.Length + 1);
        try
        {
            message[0] = channel;
            data.CopyTo(message.AsMemory(1));
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(message.AsMemory(0, data.Length + 1), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    /// <summary>Reads client messages until the socket closes: stdin to <see cref="StdinStream"/>, resizes to the callback.</summary>
    public async Task ReceiveAsync(Action<ReadOnlyMemory<byte>> onResize, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                if (!await WebSocketMessages.ReceiveAsync(socket, buffer, cancellationToken)) break;
                var message = buffer.WrittenMemory;
                if (message.Length == 0) continue;
                var payload = message[1..];
                switch (message.Span[0])
                {
                    case ChannelProtocol.Stdin:
                        if (!payload.IsEmpty) await _stdin.Writer.WriteAsync(payload, cancellationToken);
                        break;
                    case ChannelProtocol.Resize when version >= 3:
                        onResize(payload);
                        break;
                    case ChannelProtocol.CloseStream when version >= 5 && payload.Length > 0 && payload.Span[0] == ChannelProtocol.Stdin:
                        await _stdin.Writer.CompleteAsync();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away; stdin ends below.
        }
        finally
        {
            await _stdin.Writer.CompleteAsync();
        }
    }

    /// <summary>Closes the socket normally (best effort).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private sealed class ChannelWriteStream(ChannelWebSocket owner, byte channel) : AsyncOnlyStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            buffer.IsEmpty ? ValueTask.CompletedTask : new(owner.SendAsync(channel, buffer, cancellationToken));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => false;
        public override bool CanWrite => true;
    }
}
