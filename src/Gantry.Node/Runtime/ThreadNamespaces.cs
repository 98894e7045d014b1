using System.Runtime.InteropServices;
using System.Text;

namespace Gantry.Node.Runtime;

/// <summary>
/// Namespace work done in process instead of by executing unshare, hostname or ip (each execution costs milliseconds
/// of every pod start): setns and unshare of the network, UTS and IPC namespaces affect only the calling thread, so the
/// work runs on a thread of its own that ends afterwards and never runs anything else in those namespaces.
/// </summary>
internal static partial class ThreadNamespaces
{
    /// <summary>CLONE_NEWUTS.</summary>
    public const int CloneNewUts = 0x04000000;

    /// <summary>CLONE_NEWIPC.</summary>
    public const int CloneNewIpc = 0x08000000;

    private const int AfInet = 2;
    private const int SockDgram = 2;
    private const int SockCloexec = 0x80000;
    private const ulong SiocGifFlags = 0x8913;
    private const ulong SiocSifFlags = 0x8914;
    private const short IffUp = 0x1;

    // struct ifreq: a 16-byte name, then a 24-byte union of which ifr_flags is the first short.
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct InterfaceRequest
    {
        public fixed byte Name[16];
        public short Flags;
        public fixed byte Padding[22];
    }

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int UnshareNative(int flags);

    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    private static unsafe partial int SetHostnameNative(byte* name, nint length);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int Ioctl(int fd, ulong request, InterfaceRequest* argument);

    /// <summary>Runs <paramref name="work"/> on a new thread that ends with it.</summary>
    public static Task RunAsync(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>unshare(2) of the calling thread.</summary>
    public static void Unshare(int flags)
    {
        if (UnshareNative(flags) != 0)
        {
            throw Error("unshare");
        }
    }

    /// <summary>sethostname(2) in the calling thread's UTS namespace.</summary>
    public static unsafe void SetHostname(string hostname)
    {
        var bytes = Encoding.UTF8.GetBytes(hostname);
        fixed (byte* pointer = bytes)
        {
            if (SetHostnameNative(pointer, bytes.Length) != 0)
            {
                throw Error($"sethostname {hostname}");
            }
        }
    }

    /// <summary>Sets "lo" up in the calling thread's network namespace (`ip link set lo up`).</summary>
    public static unsafe void SetLoopbackUp()
    {
        var fd = Socket(AfInet, SockDgram | SockCloexec, 0);
        if (fd < 0)
        {
            throw Error("socket");
        }

        try
        {
            var request = default(InterfaceRequest);
            request.Name[0] = (byte)'l';
            request.Name[1] = (byte)'o';
            if (Ioctl(fd, SiocGifFlags, &request) != 0)
            {
                throw Error("SIOCGIFFLAGS lo");
            }

            if ((request.Flags & IffUp) != 0)
            {
                return;
            }

            request.Flags |= IffUp;
            if (Ioctl(fd, SiocSifFlags, &request) != 0)
            {
                throw Error("SIOCSIFFLAGS lo");
            }
        }
        finally
        {
            NativeMethods.Close(fd);
        }
    }

    private static IOException Error(string what)
    {
        var code = Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(code)} (errno {code})", code);
    }
}
