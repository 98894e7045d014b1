using Gantry.Node.Runtime;
using Gantry.Node.Streaming.Spdy;
using Gantry.Node.Streaming.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Streaming;

/// <summary>
/// GET/POST /exec/{ns}/{pod}/{container} and /attach/{ns}/{pod}/{container} over a WebSocket channel protocol
/// (v1..v5.channel.k8s.io) or SPDY/3.1 (channel.k8s.io v1..v4 stream protocols).
/// </summary>
internal sealed partial class RemoteCommandHandler(IContainerRuntime runtime, ContainerLocator locator, TimeSpan streamCreationTimeout, ILogger logger)
{
    private static readonly string[] SpdyProtocols = [ChannelProtocol.V4, ChannelProtocol.V3, ChannelProtocol.V2, ChannelProtocol.V1];

    public async Task ServeAsync(HttpContext context, string ns, string pod, string container, bool attach)
    {
        var query = context.Request.Query;
        var tty = Flag(query, "tty");
        var request = new StreamingRequest
        {
            Command = attach ? [] : query["command"].Where(c => c is not null).Select(c => c!).ToList(),
            Stdin = Flag(query, "input") || Flag(query, "stdin"),
            Stdout = Flag(query, "output") || Flag(query, "stdout"),
            Stderr = !tty && (Flag(query, "error") || Flag(query, "stderr")),
            Tty = tty,
        };
        if (!attach && request.Command.Count == 0)
        {
            await Upgrades.PlainAsync(context, 400, "you must specify at least one command for the container");
            return;
        }
        if (!request.Stdin && !request.Stdout && !request.Stderr)
        {
            await Upgrades.PlainAsync(context, 400, "you must specify at least one of stdin, stdout, stderr");
            return;
        }
        var target = (await locator.FindAttemptsAsync(ns, pod, container, context.RequestAborted)).FirstOrDefault();
        if (target is null || target.State != ContainerState.Running)
        {
            await Upgrades.PlainAsync(context, 404, $"container not found (\"{container}\")");
            return;
        }
        Func<CancellationToken, Task<IStreamingProcess>> start = attach
            ? ct => runtime.AttachAsync(target.Id, request, ct)
            : ct => runtime.ExecAsync(target.Id, request, ct);
        if (Upgrades.IsWebSocket(context.Request)) await ServeWebSocketAsync(context, request, start);
        else if (Upgrades.IsSpdy(context.Request)) await ServeSpdyAsync(context, request, start);
        else await Upgrades.PlainAsync(context, 400, "unable to upgrade: missing upgrade headers in request");
    }

    private async Task ServeWebSocketAsync(HttpContext context, StreamingRequest request, Func<CancellationToken, Task<IStreamingProcess>> start)
    {
        if (await Upgrades.AcceptWebSocketAsync(context, ChannelProtocol.Supported) is not var (socket, protocol)) return;
        using var _ = socket;
        var aborted = context.RequestAborted;
        var channels = new ChannelWebSocket(socket, ChannelProtocol.VersionOf(protocol));
        IStreamingProcess? process = null;
        (ushort Columns, ushort Rows)? early = null;
        var gate = new Lock();
        // The client may send its terminal size before the command runs: the last one is applied once it does.
        var receive = channels.ReceiveAsync(message =>
        {
            if (TerminalSize.Parse(message.Span) is not { } size) return;
            lock (gate)
            {
                if (process is null) early = size;
                else process.Resize(size.Columns, size.Rows);
            }
        }, aborted);
        try
        {
            var started = await start(aborted);
            lock (gate)
            {
                process = started;
                if (early is { } size) started.Resize(size.Columns, size.Rows);
            }
            await using (started)
            {
                await RemoteCommandRunner.RunAsync(started, new RemoteCommandStreams
                {
                    Stdin = request.Stdin ? channels.StdinStream : null,
                    Stdout = request.Stdout ? channels.OutputChannel(ChannelProtocol.Stdout) : null,
                    Stderr = request.Stderr ? channels.OutputChannel(ChannelProtocol.Stderr) : null,
                    WriteStatusAsync = (status, ct) => channels.SendAsync(ChannelProtocol.Error, status, ct),
                }, request.Command, channels.Version, receive, aborted);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && process is null)
        {
            LogStartFailed(logger, ex);
            await channels.SendAsync(ChannelProtocol.Error, ExecStatus.ForError(ex.Message, channels.Version), aborted);
        }
        await channels.CloseAsync(aborted);
        // Wait briefly for the client's close frame so the close handshake completes.
        await Task.WhenAny(receive, Task.Delay(TimeSpan.FromSeconds(2), aborted));
    }

    private async Task ServeSpdyAsync(HttpContext context, StreamingRequest request, Func<CancellationToken, Task<IStreamingProcess>> start)
    {
        if (await Upgrades.AcceptSpdyAsync(context, SpdyProtocols) is not var (transport, protocol)) return;
        var version = ChannelProtocol.VersionOf(protocol);
        await using var __ = transport;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var connection = new SpdyConnection(transport);
        await using var ___ = connection;
        var reading = connection.RunAsync(stop.Token);
        try
        {
            var streams = await AwaitStreamsAsync(connection, request, version, stop.Token);
            if (streams is null) return;
            streams.TryGetValue("error", out var error);
            IStreamingProcess process;
            try
            {
                process = await start(stop.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogStartFailed(logger, ex);
                if (error is not null) await error.WriteAsync(ExecStatus.ForError(ex.Message, version), stop.Token);
                return;
            }
            await using (process)
            {
                var resize = streams.TryGetValue("resize", out var resizeStream)
                    ? TerminalSize.PumpAsync(resizeStream, process.Resize, stop.Token)
                    : Task.CompletedTask;
                await RemoteCommandRunner.RunAsync(process, new RemoteCommandStreams
                {
                    Stdin = streams.GetValueOrDefault("stdin"),
                    Stdout = streams.GetValueOrDefault("stdout"),
                    Stderr = streams.GetValueOrDefault("stderr"),
                    WriteStatusAsync = (status, ct) => error is null ? Task.CompletedTask : error.WriteAsync(status, ct).AsTask(),
                    CloseOutputsAsync = async () =>
                    {
                        foreach (var stream in streams.Values) await stream.CloseWriteAsync(stop.Token);
                    },
                }, request.Command, version, reading, stop.Token);
                await stop.CancelAsync();
                await resize;
            }
        }
        finally
        {
            await connection.GoAwayAsync(CancellationToken.None);
            await stop.CancelAsync();
            await reading;
        }
    }

    /// <summary>Waits until the client opened every stream the request implies (kubelet: streamCreationTimeout).</summary>
    private async Task<Dictionary<string, SpdyStream>?> AwaitStreamsAsync(SpdyConnection connection, StreamingRequest request, int version, CancellationToken cancellationToken)
    {
        var expected = 1 + (request.Stdin ? 1 : 0) + (request.Stdout ? 1 : 0) + (request.Stderr ? 1 : 0) + (request.Tty && version >= 3 ? 1 : 0);
        var streams = new Dictionary<string, SpdyStream>(StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(streamCreationTimeout);
        try
        {
            while (streams.Count < expected && await connection.IncomingStreams.WaitToReadAsync(timeout.Token))
            {
                while (streams.Count < expected && connection.IncomingStreams.TryRead(out var stream))
                {
                    var type = stream.Header("streamType");
                    if (type is "error" or "stdin" or "stdout" or "stderr" or "resize") streams[type] = stream;
                    else await stream.ResetAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogStreamsTimedOut(logger, streams.Count, expected);
            return null;
        }
        return streams.Count == expected ? streams : null;
    }

    /// <summary>Kubernetes sends "1" (the kubelet's own parameters); clients talking to the agent directly may send "true".</summary>
    private static bool Flag(IQueryCollection query, string name) =>
        query[name] is { Count: > 0 } values && values[0] is "1" or "true" or "True";

    [LoggerMessage(Level = LogLevel.Warning, Message = "streaming: could not start the command")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "streaming: timed out waiting for the client to create streams ({Have} of {Expected})")]
    private static partial void LogStreamsTimedOut(ILogger logger, int have, int expected);
}
