using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gantry.Node.Runtime;

/// <summary>
/// Starts containers under conmon, CRI-O's monitor: conmon runs <c>runc create</c>, double-forks so it outlives the
/// agent, writes the CRI log, the exit code (exit/&lt;id&gt;) and the OOM marker (persist/oom), and serves the attach
/// socket and the ctl FIFO in the container's directory. Everything it leaves is a file, so a restarted agent reads it.
/// </summary>
internal sealed class ConmonMonitor(string conmonPath, RuncClient runc)
{
    private const int PollSliceMs = 100;
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan LogReopenWait = TimeSpan.FromSeconds(10);

    /// <summary>The options of one container's monitor.</summary>
    public sealed record Options(string Id, string Name, string Directory, string LogPath, bool Tty, bool Stdin, bool StdinOnce);

    /// <summary>What conmon recorded after the container's process exited.</summary>
    public sealed record ExitInfo(int ExitCode, DateTimeOffset FinishedAt, bool OomKilled);

    /// <summary>Runs <c>runc create</c> under a new conmon; returns the container's init pid once it is created.</summary>
    public async Task<int> CreateAsync(Options options, CancellationToken cancellationToken)
    {
        var dir = options.Directory;
        Directory.CreateDirectory(Path.Combine(dir, "exit"));
        Directory.CreateDirectory(Path.Combine(dir, "persist"));
        Directory.CreateDirectory(Path.GetDirectoryName(options.LogPath)!);

        // conmon reports the create result on the fd named by _OCI_SYNCPIPE; .NET passes only stdio to children, so a
        // FIFO opened by the shell as fd 3 carries it. Opening our end first (non-blocking) never waits for the writer.
        var syncPath = Path.Combine(dir, "sync");
        File.Delete(syncPath);
        NativeMethods.MakeFifo(syncPath);
        var syncFd = NativeMethods.Open(syncPath, NativeMethods.ORdonly | NativeMethods.ONonblock | NativeMethods.OCloexec);
        if (syncFd < 0)
        {
            throw new IOException($"cannot open {syncPath}");
        }

        try
        {
            var info = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = dir,
            };
            info.Environment["_OCI_SYNCPIPE"] = "3";
            info.Environment["GANTRY_SYNC_FIFO"] = syncPath;
            foreach (var arg in (string[])["-c", "exec \"$@\" 3>\"$GANTRY_SYNC_FIFO\"", "sh", conmonPath, .. Arguments(options)])
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start conmon");
            process.StandardInput.Close();
            // The daemonized conmon replaces its stdio with /dev/null at once, so these ends close with the parent.
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var output = (await stderr.ConfigureAwait(false) + await stdout.ConfigureAwait(false)).Trim();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"conmon failed ({process.ExitCode}): {output}");
            }

            var message = await ReadSyncMessageAsync(syncFd, cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(message);
            var pid = document.RootElement.GetProperty("data").GetInt32();
            if (pid <= 0)
            {
                var reason = document.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
                throw new InvalidOperationException($"runc create failed: {reason?.Trim()}");
            }

            return pid;
        }
        finally
        {
            NativeMethods.Close(syncFd);
            File.Delete(syncPath);
        }
    }

    /// <summary>The exit conmon recorded, null while the container has not exited.</summary>
    public static ExitInfo? ReadExit(string directory, string id)
    {
        var exitFile = new FileInfo(Path.Combine(directory, "exit", id));
        if (!exitFile.Exists)
        {
            return null;
        }

        var text = File.ReadAllText(exitFile.FullName).Trim();
        if (text.Length == 0 || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
        {
            return null; // conmon is still writing it
        }

        var oom = File.Exists(Path.Combine(directory, "persist", "oom")) || File.Exists(Path.Combine(directory, "oom"));
        return new ExitInfo(code, new DateTimeOffset(exitFile.LastWriteTimeUtc, TimeSpan.Zero), oom);
    }

    /// <summary>
    /// Makes the container's conmon reopen its log: a "2 0 0" line on the ctl FIFO (conmon's REOPEN_LOGS_EVENT; the two
    /// numbers only matter for resizes) makes it close the file and create a new one at the log path. conmon handles
    /// it in its own loop, so (as CRI-O) this waits until the new file exists.
    /// </summary>
    public static async Task ReopenLogAsync(string directory, string logPath, CancellationToken cancellationToken)
    {
        // Non-blocking open fails (ENXIO) instead of hanging when conmon, the FIFO's reader, is gone.
        var fd = NativeMethods.Open(Path.Combine(directory, "ctl"), NativeMethods.OWronly | NativeMethods.ONonblock | NativeMethods.OCloexec);
        if (fd < 0)
        {
            throw new InvalidOperationException($"the monitor of container {Path.GetFileName(directory)} is gone");
        }

        using (var ctl = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0))
        {
            ctl.Write("2 0 0\n"u8);
        }

        var waited = Stopwatch.StartNew();
        while (!File.Exists(logPath))
        {
            if (waited.Elapsed > LogReopenWait)
            {
                throw new TimeoutException($"conmon did not reopen {logPath} within {LogReopenWait}");
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True while the container's conmon process lives.</summary>
    public static bool IsAlive(string directory)
    {
        var pidFile = Path.Combine(directory, "conmon.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            return false;
        }

        var comm = $"/proc/{pid}/comm";
        return File.Exists(comm) && File.ReadAllText(comm).Trim() == "conmon";
    }

    private List<string> Arguments(Options options)
    {
        var dir = options.Directory;
        var args = new List<string>
        {
            "--api-version", "1",
            "-c", options.Id,
            "-u", options.Id,
            "-n", options.Name,
            "-r", runc.Path,
            "-b", dir,
            "-p", Path.Combine(dir, "pid"),
            "-P", Path.Combine(dir, "conmon.pid"),
            "-l", "k8s-file:" + options.LogPath,
            "--exit-dir", Path.Combine(dir, "exit"),
            "--persist-dir", Path.Combine(dir, "persist"),
            "--socket-dir-path", Path.Combine(dir, "persist"),
            "--runtime-arg", "--root=" + runc.Root,
            "--log-level", "info",
        };
        if (options.Tty)
        {
            args.Add("-t");
        }

        if (options.Stdin)
        {
            args.Add("-i");
            if (!options.StdinOnce)
            {
                args.Add("--leave-stdin-open");
            }
        }

        return args;
    }

    // On a thread of its own: poll wakes the moment conmon writes (a timer loop adds its period to every create), and a
    // slow create holds no pool thread. Cancellation is seen within one poll slice, before the caller closes the fd.
    private static Task<string> ReadSyncMessageAsync(int fd, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => ReadSyncMessage(fd, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static string ReadSyncMessage(int fd, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var text = new StringBuilder();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.Elapsed > CreateTimeout)
            {
                throw new TimeoutException("conmon did not report the container within " + CreateTimeout);
            }

            if (NativeMethods.PollInput(fd, PollSliceMs) == 0)
            {
                continue;
            }

            var read = NativeMethods.ReadNonBlocking(fd, buffer, "conmon's sync pipe");
            if (read > 0)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var newline = text.ToString().IndexOf('\n', StringComparison.Ordinal);
                if (newline >= 0)
                {
                    return text.ToString(0, newline);
                }
            }
            else if (read == 0)
            {
                // conmon closed the pipe: whatever it wrote is the message (none means it died before runc answered).
                return text.Length > 0 ? text.ToString() : throw new InvalidOperationException("conmon exited without reporting the container");
            }
        }
    }
}
