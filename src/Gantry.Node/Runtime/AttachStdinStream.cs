using System.Net.Sockets;

namespace Gantry.Node.Runtime;

/// <summary>
/// Stdin of an attach session: each write becomes attach-socket messages no longer than conmon's receive buffer
/// (a longer SOCK_SEQPACKET message would be truncated). Disposing it half-closes the socket, which conmon takes as
/// the end of stdin (it closes the container's stdin when stdinOnce).
/// </summary>
internal sealed class AttachStdinStream(Socket socket) : Stream
{
    private const int MaxMessage = 8192;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var chunk = buffer[..Math.Min(MaxMessage, buffer.Length)];
            await socket.SendAsync(chunk, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            buffer = buffer[chunk.Length..];
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        var span = buffer.AsSpan(offset, count);
        while (span.Length > 0)
        {
            var chunk = span[..Math.Min(MaxMessage, span.Length)];
            socket.Send(chunk, SocketFlags.None);
            span = span[chunk.Length..];
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The session is already closed.
            }
        }

        base.Dispose(disposing);
    }
}
