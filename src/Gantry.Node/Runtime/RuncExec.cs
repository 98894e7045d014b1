using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gantry.Node.Runtime;

/// <summary>
/// Commands in a running container through <c>runc exec</c> (the container's user, env, capabilities and namespaces
/// apply). runc stays in the foreground, so its exit code is the command's; a pid file names the command's host pid
/// so a timeout can kill the command itself, not only runc.
/// </summary>
internal static class RuncExec
{
    private const int MaxOutputBytes = 1 << 20;
    private const int SigKill = 9;

    /// <summary>Runs <paramref name="command"/> to completion with bounded output (probes, hooks).</summary>
    public static async Task<ExecResult> RunSyncAsync(
        RuncClient runc, string id, string directory, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pidFile = NewPidFile(directory);
        using var process = StartRunc(runc, runc.ExecArgs(id, command, tty: false, pidFile));
        process.StandardInput.Close();
        var stdout = ReadBoundedAsync(process.StandardOutput.BaseStream);
        var stderr = ReadBoundedAsync(process.StandardError.BaseStream);
        using var timeoutSource = timeout > TimeSpan.Zero ? new CancellationTokenSource(timeout) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process, pidFile);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }
        finally
        {
            File.Delete(pidFile);
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        return timedOut ? new ExecResult(-1, output, errors, TimedOut: true) : new ExecResult(process.ExitCode, output, errors);
    }

    /// <summary>Starts an interactive command whose streams the caller pumps.</summary>
    public static IStreamingProcess Start(RuncClient runc, string id, string directory, StreamingRequest request)
    {
        if (request.Command.Count == 0)
        {
            throw new ArgumentException("exec needs a command", nameof(request));
        }

        var pidFile = NewPidFile(directory);
        var args = runc.ExecArgs(id, request.Command, request.Tty, pidFile);
        return request.Tty ? TtyExecProcess.Start(runc.Path, args, pidFile, request) : PipeExecProcess.Start(runc.Path, args, pidFile, request);
    }

    /// <summary>Starts runc with stdin, stdout and stderr as pipes.</summary>
    public static Process StartRunc(RuncClient runc, IEnumerable<string> args) => StartProcess(runc.Path, args);

    /// <summary>Starts <paramref name="fileName"/> with stdin, stdout and stderr as pipes.</summary>
    public static Process StartProcess(string fileName, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
    }

    /// <summary>Kills the exec'd command (by its pid file) and runc.</summary>
    public static void Kill(Process process, string pidFile)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            NativeMethods.Kill(pid, SigKill);
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited already.
        }
    }

    private static string NewPidFile(string directory) =>
        Path.Combine(directory, "exec-" + RandomNumberGenerator.GetHexString(12, lowercase: true) + ".pid");

    private static async Task<string> ReadBoundedAsync(Stream stream)
    {
        // Keep the first MaxOutputBytes and drain the rest, so a chatty command cannot block on a full pipe.
        var kept = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = MaxOutputBytes - (int)kept.Length;
            if (room > 0)
            {
                kept.Write(buffer, 0, Math.Min(room, read));
            }
        }

        return Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }
}
