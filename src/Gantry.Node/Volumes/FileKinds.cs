using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Gantry.Node.Volumes;

/// <summary>The Unix file type (S_IFMT bits) of a path, which .NET does not expose: statx(2), the same layout on every architecture.</summary>
internal static partial class FileKinds
{
    /// <summary>S_IFREG.</summary>
    public const int Regular = 0x8000;

    /// <summary>S_IFSOCK.</summary>
    public const int Socket = 0xC000;

    /// <summary>S_IFCHR.</summary>
    public const int CharDevice = 0x2000;

    /// <summary>S_IFBLK.</summary>
    public const int BlockDevice = 0x6000;

    private const int AtFdCwd = -100;
    private const uint StatxType = 1;
    private const int ModeOffset = 28;

    /// <summary>The S_IFMT bits of <paramref name="path"/> (following symlinks); -1 when it cannot be read.</summary>
    public static int Of(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0) return -1;
        return BinaryPrimitives.ReadUInt16LittleEndian(buffer[ModeOffset..]) & 0xF000;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, ref byte buffer);
}
