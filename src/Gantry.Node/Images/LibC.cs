using System.Runtime.InteropServices;

namespace Gantry.Node.Images;

/// <summary>The few file-system calls .NET lacks: ownership and times of symlinks themselves, device nodes, hard links, xattrs.</summary>
internal static unsafe partial class LibC
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;

    /// <summary>S_IFCHR: a character device.</summary>
    public const uint CharacterDevice = 0x2000;

    /// <summary>S_IFBLK: a block device.</summary>
    public const uint BlockDevice = 0x6000;

    /// <summary>S_IFIFO: a named pipe.</summary>
    public const uint Fifo = 0x1000;

    /// <summary>True when the process may create devices and chown files (effective uid 0).</summary>
    public static bool IsRoot => geteuid() == 0;

    public static void LChown(string path, int uid, int gid) => Check(lchown(path, uid, gid), "lchown", path);

    public static void Chmod(string path, uint mode) => Check(chmod(path, mode), "chmod", path);

    public static void MkNod(string path, uint mode, int major, int minor)
    {
        ulong dev = ((ulong)(uint)major & 0xfffff000) << 32 | ((ulong)(uint)major & 0xfff) << 8 | ((ulong)(uint)minor & 0xffffff00) << 12 | ((ulong)(uint)minor & 0xff);
        Check(mknod(path, mode, dev), "mknod", path);
    }

    public static void Link(string existing, string path) => Check(link(existing, path), "link", path);

    public static void LSetXattr(string path, string name, byte[] value)
    {
        fixed (byte* p = value) Check(lsetxattr(path, name, p, (nuint)value.Length, 0), "lsetxattr " + name, path);
    }

    /// <summary>Sets access and modification time of <paramref name="path"/> itself (not a symlink's target).</summary>
    public static void LUTimes(string path, DateTimeOffset time)
    {
        var spec = stackalloc Timespec[2];
        spec[0] = spec[1] = new Timespec { Seconds = Math.DivRem(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.TicksPerSecond, out var rest), Nanoseconds = rest * 100 };
        Check(utimensat(AtFdCwd, path, spec, AtSymlinkNoFollow), "utimensat", path);
    }

    private static void Check(int result, string call, string path)
    {
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, int owner, int group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chmod(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string existing, string path);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int utimensat(int dirfd, string path, Timespec* times, int flags);
}
