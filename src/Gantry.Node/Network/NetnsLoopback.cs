using System.Runtime.InteropServices;
using Gantry.Node.Runtime;

namespace Gantry.Node.Network;

/// <summary>
/// What the CNI loopback plugin's ADD does (sets "lo" up in the sandbox's network namespace), in process: a plugin
/// execution costs several milliseconds of every pod start. A dedicated thread enters the namespace (setns affects only
/// the calling thread), flags the interface up with SIOCSIFFLAGS on a socket of that namespace, and ends.
/// </summary>
internal static partial class NetnsLoopback
{
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

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int Ioctl(int fd, ulong request, InterfaceRequest* argument);

    /// <summary>Sets the loopback interface of the network namespace at <paramref name="netnsPath"/> up.</summary>
    public static Task BringUpAsync(string netnsPath)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                NativeMethods.SetNamespace(netnsPath, NativeMethods.CloneNewNet);
                SetUp();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns-lo",
        };
        thread.Start();
        return done.Task;
    }

    private static unsafe void SetUp()
    {
        var fd = Socket(AfInet, SockDgram | SockCloexec, 0);
        if (fd < 0)
        {
            throw new IOException($"socket() in the pod's network namespace failed (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            var request = default(InterfaceRequest);
            request.Name[0] = (byte)'l';
            request.Name[1] = (byte)'o';
            if (Ioctl(fd, SiocGifFlags, &request) != 0)
            {
                throw new IOException($"SIOCGIFFLAGS lo failed (errno {Marshal.GetLastPInvokeError()})");
            }

            if ((request.Flags & IffUp) != 0)
            {
                return;
            }

            request.Flags |= IffUp;
            if (Ioctl(fd, SiocSifFlags, &request) != 0)
            {
                throw new IOException($"SIOCSIFFLAGS lo up failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            NativeMethods.Close(fd);
        }
    }
}
