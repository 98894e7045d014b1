using System.IO.Compression;

namespace Gantry.Node.Images;

/// <summary>Recognizes a layer or archive's compression by its magic bytes, as containerd does (not by media type alone).</summary>
internal static class Compression
{
    /// <summary>Opens <paramref name="path"/> decompressed: plain tar or gzip; zstd is refused with a clear error (.NET has no zstd).</summary>
    public static Stream OpenDecompressed(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            var n = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
            file.Position = 0;
            if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return new GZipStream(file, CompressionMode.Decompress);
            if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
                throw new NotSupportedException("zstd-compressed layers are not supported (this build of .NET has no zstd decoder); use gzip or uncompressed layers");
            if (n >= 3 && magic[0] == 0x42 && magic[1] == 0x5a && magic[2] == 0x68)
                throw new NotSupportedException("bzip2-compressed archives are not supported; use gzip or an uncompressed tar");
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
