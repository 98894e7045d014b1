using System.Buffers.Binary;
using System.Text;

namespace Gantry.Node.Streaming.Spdy;

/// <summary>
/// Reads and encodes SPDY/3 frames (draft 3.1 layout) on one connection, with its header compression state.
/// Reading is for one reader; encoding is for one writer at a time (callers serialize writes).
/// </summary>
internal sealed class SpdyFramer(Stream transport) : IDisposable
{
    /// <summary>The only version spoken (SPDY/3.1 frames carry version 3).</summary>
    public const int Version = 3;

    private const int MaxFrameLength = (1 << 24) - 1;
    private readonly SpdyHeaderCompression _zlib = new();
    private readonly byte[] _head = new byte[8];

    /// <summary>Reads the next frame; null when the peer closed the connection cleanly between frames.</summary>
    public async Task<SpdyFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        var got = await transport.ReadAtLeastAsync(_head, _head.Length, throwOnEndOfStream: false, cancellationToken);
        if (got == 0) return null;
        if (got < _head.Length) throw new EndOfStreamException("SPDY connection closed inside a frame header");
        var length = (_head[5] << 16) | (_head[6] << 8) | _head[7];
        var flags = _head[4];
        var payload = new byte[length];
        await transport.ReadExactlyAsync(payload, cancellationToken);
        if ((_head[0] & 0x80) == 0)
        {
            return new SpdyFrame
            {
                Type = SpdyFrameType.Data,
                StreamId = BinaryPrimitives.ReadUInt32BigEndian(_head) & 0x7fffffff,
                Flags = flags,
                Data = payload,
            };
        }
        var version = BinaryPrimitives.ReadUInt16BigEndian(_head) & 0x7fff;
        if (version != Version) throw new InvalidDataException($"unsupported SPDY version {version}");
        var type = (SpdyFrameType)BinaryPrimitives.ReadUInt16BigEndian(_head.AsSpan(2));
        return DecodeControl(type, flags, payload);
    }

    private SpdyFrame DecodeControl(SpdyFrameType type, byte flags, byte[] p)
    {
        ReadOnlySpan<byte> span = p;
        switch (type)
        {
            case SpdyFrameType.SynStream:
                Need(p, 10, type);
                return new SpdyFrame
                {
                    Type = type, Flags = flags,
                    StreamId = StreamIdAt(span, 0),
                    AssociatedStreamId = StreamIdAt(span, 4),
                    Priority = (byte)(p[8] >> 5),
                    Headers = DecodeHeaders(span[10..]),
                };
            case SpdyFrameType.SynReply:
            case SpdyFrameType.Headers:
                Need(p, 4, type);
                return new SpdyFrame { Type = type, Flags = flags, StreamId = StreamIdAt(span, 0), Headers = DecodeHeaders(span[4..]) };
            case SpdyFrameType.RstStream:
                Need(p, 8, type);
                return new SpdyFrame { Type = type, Flags = flags, StreamId = StreamIdAt(span, 0), Status = BinaryPrimitives.ReadUInt32BigEndian(span[4..]) };
            case SpdyFrameType.Settings:
                Need(p, 4, type);
                var count = BinaryPrimitives.ReadUInt32BigEndian(span);
                if (p.Length < 4 + count * 8) throw new InvalidDataException("truncated SPDY SETTINGS frame");
                var settings = new List<(byte, uint, uint)>((int)count);
                for (var i = 0; i < count; i++)
                {
                    var entry = span.Slice(4 + i * 8, 8);
                    settings.Add((entry[0], BinaryPrimitives.ReadUInt32BigEndian(entry) & 0xffffff, BinaryPrimitives.ReadUInt32BigEndian(entry[4..])));
                }
                return new SpdyFrame { Type = type, Flags = flags, Settings = settings };
            case SpdyFrameType.Ping:
                Need(p, 4, type);
                return new SpdyFrame { Type = type, Flags = flags, PingId = BinaryPrimitives.ReadUInt32BigEndian(span) };
            case SpdyFrameType.GoAway:
                Need(p, 8, type);
                return new SpdyFrame { Type = type, Flags = flags, StreamId = StreamIdAt(span, 0), Status = BinaryPrimitives.ReadUInt32BigEndian(span[4..]) };
            case SpdyFrameType.WindowUpdate:
                Need(p, 8, type);
                return new SpdyFrame { Type = type, Flags = flags, StreamId = StreamIdAt(span, 0), DeltaWindowSize = BinaryPrimitives.ReadUInt32BigEndian(span[4..]) & 0x7fffffff };
            default:
                throw new InvalidDataException($"unknown SPDY control frame type {(int)type}");
        }
    }

    /// <summary>Encodes a frame to its wire bytes (compressing header blocks in this connection's zlib stream).</summary>
    public byte[] Encode(SpdyFrame frame)
    {
        if (frame.Type == SpdyFrameType.Data)
        {
            var data = new byte[8 + frame.Data.Length];
            BinaryPrimitives.WriteUInt32BigEndian(data, frame.StreamId & 0x7fffffff);
            WriteFlagsAndLength(data, frame.Flags, frame.Data.Length);
            frame.Data.Span.CopyTo(data.AsSpan(8));
            return data;
        }
        byte[] payload;
        switch (frame.Type)
        {
            case SpdyFrameType.SynStream:
                var syn = _zlib.Compress(EncodeHeaders(frame.Headers));
                payload = new byte[10 + syn.Length];
                BinaryPrimitives.WriteUInt32BigEndian(payload, frame.StreamId & 0x7fffffff);
                BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), frame.AssociatedStreamId & 0x7fffffff);
                payload[8] = (byte)((frame.Priority & 0x7) << 5);
                syn.CopyTo(payload, 10);
                break;
            case SpdyFrameType.SynReply:
            case SpdyFrameType.Headers:
                var block = _zlib.Compress(EncodeHeaders(frame.Headers));
                payload = new byte[4 + block.Length];
                BinaryPrimitives.WriteUInt32BigEndian(payload, frame.StreamId & 0x7fffffff);
                block.CopyTo(payload, 4);
                break;
            case SpdyFrameType.RstStream:
            case SpdyFrameType.GoAway:
                payload = new byte[8];
                BinaryPrimitives.WriteUInt32BigEndian(payload, frame.StreamId & 0x7fffffff);
                BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), frame.Status);
                break;
            case SpdyFrameType.WindowUpdate:
                payload = new byte[8];
                BinaryPrimitives.WriteUInt32BigEndian(payload, frame.StreamId & 0x7fffffff);
                BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), frame.DeltaWindowSize & 0x7fffffff);
                break;
            case SpdyFrameType.Ping:
                payload = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(payload, frame.PingId);
                break;
            case SpdyFrameType.Settings:
                payload = new byte[4 + frame.Settings.Count * 8];
                BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)frame.Settings.Count);
                for (var i = 0; i < frame.Settings.Count; i++)
                {
                    var (flags, id, value) = frame.Settings[i];
                    BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4 + i * 8), ((uint)flags << 24) | (id & 0xffffff));
                    BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(8 + i * 8), value);
                }
                break;
            default:
                throw new ArgumentException($"cannot encode SPDY frame type {frame.Type}", nameof(frame));
        }
        var bytes = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, 0x8000 | Version);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)frame.Type);
        WriteFlagsAndLength(bytes, frame.Flags, payload.Length);
        payload.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>An uncompressed SPDY/3 header block: count, then length-prefixed names and values (32-bit, big-endian).</summary>
    internal static byte[] EncodeHeaders(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        using var buffer = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(number, (uint)headers.Count);
        buffer.Write(number);
        foreach (var (name, value) in headers)
        {
            foreach (var text in (ReadOnlySpan<string>)[name.ToLowerInvariant(), value])
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteUInt32BigEndian(number, (uint)bytes.Length);
                buffer.Write(number);
                buffer.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes an uncompressed header block.</summary>
    internal static List<KeyValuePair<string, string>> ParseHeaders(ReadOnlySpan<byte> block)
    {
        if (block.Length < 4) throw new InvalidDataException("truncated SPDY header block");
        var count = BinaryPrimitives.ReadUInt32BigEndian(block);
        var at = 4;
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(block, ref at);
            var value = ReadString(block, ref at);
            headers.Add(new(name, value));
        }
        return headers;
    }

    private List<KeyValuePair<string, string>> DecodeHeaders(ReadOnlySpan<byte> compressed) =>
        ParseHeaders(_zlib.Decompress(compressed));

    private static string ReadString(ReadOnlySpan<byte> block, ref int at)
    {
        if (block.Length < at + 4) throw new InvalidDataException("truncated SPDY header block");
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(block[at..]);
        at += 4;
        if (length < 0 || block.Length < at + length) throw new InvalidDataException("truncated SPDY header block");
        var text = Encoding.UTF8.GetString(block.Slice(at, length));
        at += length;
        return text;
    }

    private static uint StreamIdAt(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt32BigEndian(span[offset..]) & 0x7fffffff;

    private static void Need(byte[] payload, int length, SpdyFrameType type)
    {
        if (payload.Length < length) throw new InvalidDataException($"truncated SPDY {type} frame");
    }

    private static void WriteFlagsAndLength(Span<byte> head, byte flags, int length)
    {
        if (length > MaxFrameLength) throw new ArgumentException("SPDY frame too long");
        head[4] = flags;
        head[5] = (byte)(length >> 16);
        head[6] = (byte)(length >> 8);
        head[7] = (byte)length;
    }

    public void Dispose() => _zlib.Dispose();
}
