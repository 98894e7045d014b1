using System.Runtime.InteropServices;

namespace Gantry.Node.Streaming.Spdy;

/// <summary>
/// The two zlib streams of a SPDY/3 connection's header blocks (one per direction, primed with
/// <see cref="SpdyDictionary"/>, each block ended by a sync flush). .NET's ZLibStream cannot take a preset dictionary,
/// so this one class calls the system zlib (libz.so.1) directly.
/// </summary>
internal sealed unsafe partial class SpdyHeaderCompression : IDisposable
{
    private const string Zlib = "libz.so.1";
    private const int ZOk = 0;
    private const int ZStreamEnd = 1;
    private const int ZNeedDict = 2;
    private const int ZBufError = -5;
    private const int ZSyncFlush = 2;
    private const int ZBestCompression = 9; // what Go's framer uses

    private readonly ZStream* _deflate;
    private readonly ZStream* _inflate;
    private bool _disposed;

    public SpdyHeaderCompression()
    {
        _deflate = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        _inflate = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        fixed (byte* version = "1.2.11\0"u8)
        fixed (byte* dictionary = SpdyDictionary.Bytes)
        {
            Check(DeflateInit(_deflate, ZBestCompression, version, sizeof(ZStream)), "deflateInit");
            Check(DeflateSetDictionary(_deflate, dictionary, (uint)SpdyDictionary.Bytes.Length), "deflateSetDictionary");
            Check(InflateInit(_inflate, version, sizeof(ZStream)), "inflateInit");
        }
    }

    /// <summary>Compresses one header block and flushes, so the peer can decode it at once.</summary>
    public byte[] Compress(ReadOnlySpan<byte> block)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var output = new MemoryStream();
        var buffer = new byte[4096];
        fixed (byte* input = block)
        fixed (byte* outPtr = buffer)
        {
            _deflate->NextIn = input;
            _deflate->AvailIn = (uint)block.Length;
            do
            {
                _deflate->NextOut = outPtr;
                _deflate->AvailOut = (uint)buffer.Length;
                var rc = Deflate(_deflate, ZSyncFlush);
                if (rc != ZOk && rc != ZBufError) throw new InvalidDataException($"zlib deflate failed ({rc})");
                output.Write(buffer, 0, buffer.Length - (int)_deflate->AvailOut);
            }
            while (_deflate->AvailOut == 0);
            _deflate->NextIn = null;
        }
        return output.ToArray();
    }

    /// <summary>Decompresses one received header block (the continuation of this direction's zlib stream).</summary>
    public byte[] Decompress(ReadOnlySpan<byte> block)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var output = new MemoryStream();
        var buffer = new byte[4096];
        fixed (byte* input = block)
        fixed (byte* outPtr = buffer)
        fixed (byte* dictionary = SpdyDictionary.Bytes)
        {
            _inflate->NextIn = input;
            _inflate->AvailIn = (uint)block.Length;
            while (true)
            {
                _inflate->NextOut = outPtr;
                _inflate->AvailOut = (uint)buffer.Length;
                var rc = Inflate(_inflate, ZSyncFlush);
                if (rc == ZNeedDict)
                {
                    Check(InflateSetDictionary(_inflate, dictionary, (uint)SpdyDictionary.Bytes.Length), "inflateSetDictionary");
                    continue;
                }
                output.Write(buffer, 0, buffer.Length - (int)_inflate->AvailOut);
                if (rc == ZBufError || rc == ZStreamEnd) break;
                if (rc != ZOk) throw new InvalidDataException($"invalid SPDY header block (zlib {rc})");
                if (_inflate->AvailIn == 0 && _inflate->AvailOut != 0) break;
            }
            _inflate->NextIn = null;
        }
        return output.ToArray();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DeflateEnd(_deflate);
        InflateEnd(_inflate);
        NativeMemory.Free(_deflate);
        NativeMemory.Free(_inflate);
    }

    private static void Check(int rc, string what)
    {
        if (rc != ZOk) throw new InvalidOperationException($"zlib {what} failed ({rc})");
    }

    /// <summary>zlib's z_stream on LP64 Linux (112 bytes); zlib keeps a pointer to it, so it lives in native memory.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public nint Msg;
        public nint State;
        public nint ZAlloc;
        public nint ZFree;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

    [LibraryImport(Zlib, EntryPoint = "deflateInit_")]
    private static partial int DeflateInit(ZStream* stream, int level, byte* version, int streamSize);

    [LibraryImport(Zlib, EntryPoint = "deflateSetDictionary")]
    private static partial int DeflateSetDictionary(ZStream* stream, byte* dictionary, uint length);

    [LibraryImport(Zlib, EntryPoint = "deflate")]
    private static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(Zlib, EntryPoint = "deflateEnd")]
    private static partial int DeflateEnd(ZStream* stream);

    [LibraryImport(Zlib, EntryPoint = "inflateInit_")]
    private static partial int InflateInit(ZStream* stream, byte* version, int streamSize);

    [LibraryImport(Zlib, EntryPoint = "inflateSetDictionary")]
    private static partial int InflateSetDictionary(ZStream* stream, byte* dictionary, uint length);

    [LibraryImport(Zlib, EntryPoint = "inflate")]
    private static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(Zlib, EntryPoint = "inflateEnd")]
    private static partial int InflateEnd(ZStream* stream);
}
