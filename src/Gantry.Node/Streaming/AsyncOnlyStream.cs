namespace Gantry.Node.Streaming;

/// <summary>
/// The non-seekable, asynchronous-only <see cref="Stream"/> the streaming transports hand out: sync reads and writes
/// would block a thread on network I/O, so they are refused; flushing is a no-op because every write is sent at once.
/// </summary>
internal abstract class AsyncOnlyStream : Stream
{
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the stream is asynchronous only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the stream is asynchronous only");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
