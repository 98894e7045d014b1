using System.Net.WebSockets;

namespace Gantry.Node.Streaming.WebSockets;

/// <summary>
/// A WebSocket as a byte stream, as client-go's TunnelingConnection sees it (SPDY/3.1+portforward.k8s.io): reads
/// concatenate binary messages, each write is one binary message; message boundaries carry no meaning.
/// </summary>
internal sealed class WebSocketByteStream(WebSocket socket) : AsyncOnlyStream
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _ended;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!_ended)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                _ended = true;
                break;
            }
            if (result.MessageType != WebSocketMessageType.Binary) throw new InvalidDataException("invalid message type received");
            if (result.Count > 0 || buffer.IsEmpty) return result.Count;
        }
        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(buffer, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanWrite => true;
}
