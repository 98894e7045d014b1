using Gantry.Node.Runtime;

namespace Gantry.Node.Streaming;

/// <summary>
/// Pumps a running exec/attach session and the client's streams both ways until the command exits, then reports the
/// exit status, as the kubelet's remotecommand server: output is drained before the status is written.
/// </summary>
internal static class RemoteCommandRunner
{
    /// <summary>
    /// Runs the session; returns early when <paramref name="clientGone"/> completes first (the caller then disposes the
    /// process, which ends the command, as CRI runtimes do when the stream closes).
    /// </summary>
    public static async Task RunAsync(IStreamingProcess process, RemoteCommandStreams client, IReadOnlyList<string> command, int version,
        Task clientGone, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdin = client.Stdin is not null && process.Stdin is not null
            ? PumpStdinAsync(client.Stdin, process.Stdin, stop.Token)
            : Task.CompletedTask;
        var stdout = Copy(process.Stdout, client.Stdout, stop.Token);
        var stderr = Copy(process.Stderr, client.Stderr, stop.Token);
        if (await Task.WhenAny(process.Completion, clientGone).WaitAsync(cancellationToken) != process.Completion)
        {
            await stop.CancelAsync();
            await SwallowAsync(stdin);
            return;
        }
        var exitCode = await process.Completion;
        await Task.WhenAll(stdout, stderr).WaitAsync(cancellationToken);
        var status = ExecStatus.ForExit(exitCode, command, version);
        if (status is not null) await client.WriteStatusAsync(status, cancellationToken);
        if (client.CloseOutputsAsync is not null) await client.CloseOutputsAsync();
        await stop.CancelAsync();
        await SwallowAsync(stdin);
    }

    private static Task Copy(Stream? from, Stream? to, CancellationToken cancellationToken) =>
        from is null ? Task.CompletedTask : CopyAsync(from, to, cancellationToken);

    private static async Task CopyAsync(Stream from, Stream? to, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                // Output the client did not ask for is read and dropped so the command never blocks on a full pipe.
                if (to is not null) await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // The client or the command went away (or the session ended); the exit status decides what is reported.
        }
    }

    private static async Task PumpStdinAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
        }
        finally
        {
            // The client closed stdin (EOF), so the command sees EOF too.
            try { await to.DisposeAsync(); }
            catch (IOException) { }
        }
    }

    private static async Task SwallowAsync(Task task)
    {
        try { await task; }
        catch (OperationCanceledException) { }
    }
}
