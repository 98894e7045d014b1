using System.Runtime.InteropServices;

namespace Gantry.Node.Runtime;

/// <summary>The few libc calls the engine needs that .NET has no API for (mounts, namespaces, terminals, FIFOs).</summary>
internal static partial class NativeMethods
{
    public const ulong MsNosuid = 0x2;
    public const ulong MsNodev = 0x4;
    public const ulong MsNoexec = 0x8;
    public const ulong MsBind = 0x1000;
    public const ulong MsPrivate = 1 << 18;
    public const int MntDetach = 2;
    public const int CloneNewNet = 0x40000000;
    public const int ORdonly = 0;
    public const int OWronly = 1;
    public const int ORdwr = 2;
    public const int OPath = 0x200000;
    public const int ONoctty = 0x100;
    public const int ONonblock = 0x800;
    public const int OCloexec = 0x80000;
    public const short PollIn = 0x1;
    public const short PollHup = 0x10;
    public const int EAgain = 11;
    public const int EIntr = 4;
    public const int EInval = 22;
    public const int ENoent = 2;
    private const ulong TiocSwinsz = 0x5414;

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string? source, string target, string? fsType, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Native(string target, int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNsNative(int fd, int nsType);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifoNative(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(ref PollFd fd, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatFsNative(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlWinSize(int fd, ulong request, ref WinSize size);

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int PosixOpenPt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static partial int GrantPt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int UnlockPt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname_r", SetLastError = true)]
    private static unsafe partial int PtsNameR(int fd, byte* buffer, nint length);

    /// <summary>mount(2); throws with the errno on failure.</summary>
    public static void Mount(string? source, string target, string? fsType, ulong flags, string? data = null)
    {
        if (MountNative(source, target, fsType, flags, data) != 0)
        {
            throw Error($"mount {source ?? fsType} on {target}");
        }
    }

    /// <summary>umount2(2) with MNT_DETACH; false when nothing was mounted there (EINVAL) or the path is gone.</summary>
    public static bool TryUnmount(string target)
    {
        if (Umount2Native(target, MntDetach) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is EInval or ENoent)
        {
            return false;
        }

        throw Error($"umount {target}", errno);
    }

    /// <summary>Moves the calling thread into the namespace pinned at <paramref name="path"/>.</summary>
    public static void SetNamespace(string path, int nsType)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (SetNsNative((int)handle.DangerousGetHandle(), nsType) != 0)
        {
            throw Error($"setns {path}");
        }
    }

    /// <summary>mkfifo(3) with mode 0600.</summary>
    public static void MakeFifo(string path)
    {
        if (MkFifoNative(path, Convert.ToUInt32("600", 8)) != 0)
        {
            throw Error($"mkfifo {path}");
        }
    }

    /// <summary>
    /// One read(2) of a non-blocking fd into <paramref name="buffer"/>: the bytes read, 0 at end of file, -1 when nothing
    /// is there yet (EAGAIN); retries EINTR and throws with <paramref name="what"/> on other errors.
    /// </summary>
    public static unsafe int ReadNonBlocking(int fd, Span<byte> buffer, string what)
    {
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var read = Read(fd, pointer, buffer.Length);
                if (read >= 0)
                {
                    return (int)read;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EAgain)
                {
                    return -1;
                }

                if (errno != EIntr)
                {
                    throw Error($"reading {what}", errno);
                }
            }
        }
    }

    /// <summary>poll(2) of one fd for input: the returned events (POLLIN, POLLHUP, ...), 0 on timeout; retries EINTR.</summary>
    public static short PollInput(int fd, int timeoutMs)
    {
        var entry = new PollFd { Fd = fd, Events = PollIn };
        while (true)
        {
            var ready = PollNative(ref entry, 1, timeoutMs);
            if (ready >= 0)
            {
                return ready == 0 ? (short)0 : entry.Revents;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EIntr)
            {
                throw Error("poll", errno);
            }
        }
    }

    /// <summary>Opens a new pseudo-terminal pair: the master's fd and the slave's path.</summary>
    public static unsafe (int Master, string SlavePath) OpenPty()
    {
        var master = PosixOpenPt(ORdwr | ONoctty | OCloexec);
        if (master < 0)
        {
            throw Error("posix_openpt");
        }

        var buffer = stackalloc byte[128];
        if (GrantPt(master) != 0 || UnlockPt(master) != 0 || PtsNameR(master, buffer, 128) != 0)
        {
            var error = Error("grantpt/unlockpt/ptsname");
            Close(master);
            throw error;
        }

        return (master, Marshal.PtrToStringUTF8((nint)buffer)!);
    }

    /// <summary>statfs(2)'s f_type of the filesystem holding <paramref name="path"/> (its magic number).</summary>
    public static unsafe long FileSystemType(string path)
    {
        // struct statfs is 120 bytes on 64-bit Linux and starts with f_type (a long) on every architecture.
        var buffer = stackalloc byte[256];
        if (StatFsNative(path, buffer) != 0)
        {
            throw Error($"statfs {path}");
        }

        return *(long*)buffer;
    }

    /// <summary>Sets a terminal's window size (TIOCSWINSZ).</summary>
    public static void SetWindowSize(int fd, ushort columns, ushort rows)
    {
        var size = new WinSize { Rows = rows, Columns = columns };
        if (IoctlWinSize(fd, TiocSwinsz, ref size) != 0)
        {
            throw Error("ioctl TIOCSWINSZ");
        }
    }

    private static IOException Error(string what, int? errno = null)
    {
        var code = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(code)} (errno {code})", code);
    }
}
