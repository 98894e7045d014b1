using System.Diagnostics;

namespace Gantry.Node.Runtime;

/// <summary>An interactive exec without a terminal: runc's stdin, stdout and stderr are the session's streams.</summary>
internal sealed class PipeExecProcess : IStreamingProcess
{
    private readonly Process process;
    private readonly string pidFile;

    private PipeExecProcess(Process process, string pidFile, StreamingRequest request)
    {
        this.process = process;
        this.pidFile = pidFile;
        if (request.Stdin)
        {
            Stdin = process.StandardInput.BaseStream;
        }
        else
        {
            process.StandardInput.Close();
        }

        Stdout = request.Stdout ? process.StandardOutput.BaseStream : Drain(process.StandardOutput.BaseStream);
        Stderr = request.Stderr ? process.StandardError.BaseStream : Drain(process.StandardError.BaseStream);
        Completion = WaitAsync();
    }

    /// <inheritdoc />
    public Stream? Stdin { get; }

    /// <inheritdoc />
    public Stream? Stdout { get; }

    /// <inheritdoc />
    public Stream? Stderr { get; }

    /// <inheritdoc />
    public Task<int> Completion { get; }

    /// <summary>Starts runc exec with pipes.</summary>
    public static PipeExecProcess Start(string runcPath, IReadOnlyList<string> args, string pidFile, StreamingRequest request) =>
        new(RuncExec.StartProcess(runcPath, args), pidFile, request);

    /// <inheritdoc />
    public void Resize(ushort columns, ushort rows)
    {
        // No terminal, nothing to resize.
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            RuncExec.Kill(process, pidFile);
        }

        await Completion.ConfigureAwait(false);
        process.Dispose();
    }

    private async Task<int> WaitAsync()
    {
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        File.Delete(pidFile);
        return process.ExitCode;
    }

    private static Stream? Drain(Stream stream)
    {
        // A stream the client did not ask for is still read, so the command never blocks on it.
        _ = stream.CopyToAsync(Stream.Null);
        return null;
    }
}
