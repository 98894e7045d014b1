using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Gantry.Node.Runtime;

/// <summary>
/// An interactive exec with a terminal. runc exec --tty in the foreground gives the command a terminal inside the
/// container and relays it to runc's own stdio; here runc's stdio is the slave of a host pty whose master is the
/// session's stream. Resizing sets the host pty's size and sends runc SIGWINCH, which makes runc copy the size into
/// the container's terminal. runc's exit code is the command's.
/// </summary>
internal sealed class TtyExecProcess : IStreamingProcess
{
    private const int SigWinch = 28;
    private readonly Process process;
    private readonly string pidFile;
    private readonly int master;
    private readonly FileStream input;
    private readonly FileStream output;

    private TtyExecProcess(Process process, string pidFile, int master, StreamingRequest request)
    {
        this.process = process;
        this.pidFile = pidFile;
        this.master = master;
        output = new FileStream(new SafeFileHandle(master, ownsHandle: true), FileAccess.Read, bufferSize: 0);
        input = new FileStream(new SafeFileHandle(NativeMethods.Dup(master), ownsHandle: true), FileAccess.Write, bufferSize: 0);
        Stdin = request.Stdin ? input : null;
        var stdout = new PtyReadStream(output);
        Stdout = request.Stdout ? stdout : null;
        if (!request.Stdout)
        {
            _ = stdout.CopyToAsync(Stream.Null);
        }

        Completion = WaitAsync();
    }

    /// <inheritdoc />
    public Stream? Stdin { get; }

    /// <inheritdoc />
    public Stream? Stdout { get; }

    /// <inheritdoc />
    public Stream? Stderr => null;

    /// <inheritdoc />
    public Task<int> Completion { get; }

    /// <summary>Starts runc exec --tty on a new host pty.</summary>
    public static TtyExecProcess Start(string runcPath, IReadOnlyList<string> args, string pidFile, StreamingRequest request)
    {
        var (master, slavePath) = NativeMethods.OpenPty();
        try
        {
            // The shell opens the slave as runc's stdio (the agent never holds it, so the master sees EOF when runc exits).
            var info = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.Environment["GANTRY_PTY"] = slavePath;
            foreach (var arg in (string[])["-c", "exec \"$@\" <\"$GANTRY_PTY\" >\"$GANTRY_PTY\" 2>&1", "sh", runcPath, .. args])
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start runc exec");
            process.StandardInput.Close();
            return new TtyExecProcess(process, pidFile, master, request);
        }
        catch
        {
            NativeMethods.Close(master);
            throw;
        }
    }

    /// <inheritdoc />
    public void Resize(ushort columns, ushort rows)
    {
        if (process.HasExited)
        {
            return;
        }

        NativeMethods.SetWindowSize(master, columns, rows);
        NativeMethods.Kill(process.Id, SigWinch);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            RuncExec.Kill(process, pidFile);
        }

        await Completion.ConfigureAwait(false);
        await input.DisposeAsync().ConfigureAwait(false);
        await output.DisposeAsync().ConfigureAwait(false);
        process.Dispose();
    }

    private async Task<int> WaitAsync()
    {
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        File.Delete(pidFile);
        return process.ExitCode;
    }
}
