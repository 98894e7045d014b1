using Gantry.Node.Streaming.Spdy;

namespace Gantry.Node.Tests.Streaming;

public sealed class SpdyFramingTests
{
    [Fact]
    public void Dictionary_IsTheSpdy3DictionaryGoUses()
    {
        // Length and Adler-32 (the zlib dictionary id Go's reader checks) of the SPDY/3 header dictionary.
        Assert.Equal(1423, SpdyDictionary.Bytes.Length);
        Assert.Equal(0xe3c6a7c2u, Adler32(SpdyDictionary.Bytes));
    }

    [Fact]
    public void Decompress_HeaderBlocksFromAnotherZlib_ReturnsTheHeaders()
    {
        // Two consecutive blocks of one zlib stream with the SPDY dictionary, produced by Python's zlib (level 9, sync flush).
        using var zlib = new SpdyHeaderCompression();
        var first = SpdyFramer.ParseHeaders(zlib.Decompress(Convert.FromHexString("78f9e3c6a7c202a62346703a2b294a4dcc851625aca9a08006000000ffff")));
        var second = SpdyFramer.ParseHeaders(zlib.Decompress(Convert.FromHexString("02651c0c2960624ec90797d1c022bb084c5b18581800000000ffff")));
        Assert.Equal([new("streamtype", "error")], first);
        Assert.Equal([new("streamtype", "stdout"), new("port", "8080")], second);
    }

    [Fact]
    public void Compress_ThenDecompressAcrossBlocks_RoundTrips()
    {
        using var sender = new SpdyHeaderCompression();
        using var receiver = new SpdyHeaderCompression();
        for (var i = 0; i < 50; i++)
        {
            var block = SpdyFramer.EncodeHeaders([new("streamtype", "data"), new("port", i.ToString()), new("requestid", new string('x', i * 40))]);
            Assert.Equal(block, receiver.Decompress(sender.Compress(block)));
        }
    }

    [Fact]
    public async Task Frames_RoundTripThroughTheWireFormat()
    {
        var wire = new MemoryStream();
        using var writer = new SpdyFramer(wire);
        SpdyFrame[] frames =
        [
            new() { Type = SpdyFrameType.SynStream, StreamId = 1, Priority = 2, Flags = SpdyFrame.FlagFin, Headers = [new("streamtype", "error"), new("requestid", "0")] },
            new() { Type = SpdyFrameType.SynReply, StreamId = 1 },
            new() { Type = SpdyFrameType.Data, StreamId = 3, Flags = SpdyFrame.FlagFin, Data = "hello"u8.ToArray() },
            new() { Type = SpdyFrameType.RstStream, StreamId = 5, Status = 5 },
            new() { Type = SpdyFrameType.Settings, Settings = [(0, 7, 65536), (1, 4, 100)] },
            new() { Type = SpdyFrameType.Ping, PingId = 7 },
            new() { Type = SpdyFrameType.GoAway, StreamId = 9, Status = 0 },
            new() { Type = SpdyFrameType.Headers, StreamId = 3, Headers = [new("a", "b\0c")] },
            new() { Type = SpdyFrameType.WindowUpdate, StreamId = 3, DeltaWindowSize = 1000 },
        ];
        foreach (var frame in frames) wire.Write(writer.Encode(frame));
        wire.Position = 0;
        using var reader = new SpdyFramer(wire);
        foreach (var expected in frames)
        {
            var actual = await reader.ReadAsync(CancellationToken.None);
            Assert.NotNull(actual);
            Assert.Equal(expected.Type, actual.Type);
            Assert.Equal(expected.Flags, actual.Flags);
            Assert.Equal(expected.StreamId, actual.StreamId);
            Assert.Equal(expected.Priority, actual.Priority);
            Assert.Equal(expected.Headers, actual.Headers);
            Assert.Equal(expected.Data.ToArray(), actual.Data.ToArray());
            Assert.Equal(expected.Status, actual.Status);
            Assert.Equal(expected.PingId, actual.PingId);
            Assert.Equal(expected.DeltaWindowSize, actual.DeltaWindowSize);
            Assert.Equal(expected.Settings, actual.Settings);
        }
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public void Encode_ControlFrame_HasVersionThreeAndTypeInItsHeader()
    {
        using var framer = new SpdyFramer(Stream.Null);
        var bytes = framer.Encode(new SpdyFrame { Type = SpdyFrameType.Ping, PingId = 1 });
        Assert.Equal(Convert.FromHexString("80030006000000040000000" + "1"), bytes);
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        foreach (var d in data)
        {
            a = (a + d) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }
}
