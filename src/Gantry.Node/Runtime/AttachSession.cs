using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Gantry.Node.Runtime;

/// <summary>
/// kubectl attach through conmon: its attach socket (SOCK_SEQPACKET, in the container's directory) carries stdin as
/// plain messages one way and output the other way as messages whose first byte names the pipe (2 stdout, 3 stderr);
/// terminal resizes go to its ctl FIFO as "1 rows columns" lines. The socket is reached through /proc/self/fd so long
/// data directories stay within the 108-byte socket path limit.
/// </summary>
internal sealed class AttachSession : IStreamingProcess
{
    private const byte StdoutPipe = 2;
    private const byte StderrPipe = 3;
    private const int ResizeEvent = 1;
    private readonly Socket socket;
    private readonly string directory;
    private readonly string id;
    private readonly Pipe stdout = new();
    private readonly Pipe stderr = new();
    private readonly bool wantStdout;
    private readonly bool wantStderr;

    private AttachSession(Socket socket, string directory, string id, bool tty, StreamingRequest request)
    {
        this.socket = socket;
        this.directory = directory;
        this.id = id;
        wantStdout = request.Stdout;
        wantStderr = request.Stderr && !tty;
        Stdin = request.Stdin ? new AttachStdinStream(socket) : null;
        Stdout = wantStdout ? stdout.Reader.AsStream() : null;
        Stderr = wantStderr ? stderr.Reader.AsStream() : null;
        Completion = PumpAsync();
    }

    /// <inheritdoc />
    public Stream? Stdin { get; }

    /// <inheritdoc />
    public Stream? Stdout { get; }

    /// <inheritdoc />
    public Stream? Stderr { get; }

    /// <inheritdoc />
    public Task<int> Completion { get; }

    /// <summary>Connects to the attach socket of container <paramref name="id"/> in <paramref name="directory"/>.</summary>
    public static async Task<AttachSession> ConnectAsync(
        string directory, string id, bool tty, StreamingRequest request, CancellationToken cancellationToken)
    {
        var dirFd = NativeMethods.Open(directory, NativeMethods.OPath | NativeMethods.OCloexec);
        if (dirFd < 0)
        {
            throw new IOException($"cannot open {directory}");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/proc/self/fd/{dirFd}/attach"), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            NativeMethods.Close(dirFd);
        }

        return new AttachSession(socket, directory, id, tty, request);
    }

    /// <inheritdoc />
    public void Resize(ushort columns, ushort rows)
    {
        // Non-blocking open fails (ENXIO) instead of hanging when conmon, the FIFO's reader, is gone.
        var fd = NativeMethods.Open(Path.Combine(directory, "ctl"), NativeMethods.OWronly | NativeMethods.ONonblock | NativeMethods.OCloexec);
        if (fd < 0)
        {
            return;
        }

        using var ctl = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
        ctl.Write(Encoding.ASCII.GetBytes($"{ResizeEvent} {rows} {columns}\n"));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by conmon.
        }

        socket.Dispose();

        // A caller that stopped reading must not leave the pump waiting on a full pipe.
        await stdout.Reader.CompleteAsync().ConfigureAwait(false);
        await stderr.Reader.CompleteAsync().ConfigureAwait(false);
        await Completion.ConfigureAwait(false);
    }

    private async Task<int> PumpAsync()
    {
        await Task.Yield();
        var buffer = new byte[65536];
        var closedByMonitor = false;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    closedByMonitor = true;
                    break;
                }

                var writer = buffer[0] switch
                {
                    StdoutPipe when wantStdout => stdout.Writer,
                    StderrPipe when wantStderr => stderr.Writer,
                    _ => null,
                };
                if (writer is not null && read > 1)
                {
                    await writer.WriteAsync(buffer.AsMemory(1, read - 1)).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The session was closed by the caller.
        }
        finally
        {
            await stdout.Writer.CompleteAsync().ConfigureAwait(false);
            await stderr.Writer.CompleteAsync().ConfigureAwait(false);
        }

        if (!closedByMonitor)
        {
            return 0; // detached by the caller; the container runs on
        }

        // conmon closes the socket when the container exits; its exit file follows within moments.
        for (var i = 0; i < 40; i++)
        {
            if (ConmonMonitor.ReadExit(directory, id) is { } exit)
            {
                return exit.ExitCode;
            }

            if (!ConmonMonitor.IsAlive(directory))
            {
                break;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return ConmonMonitor.ReadExit(directory, id)?.ExitCode ?? 0;
    }
}
