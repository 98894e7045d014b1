using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Gantry.Node.Runtime;
using Gantry.Node.Streaming.Spdy;
using Gantry.Node.Streaming.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Streaming;

/// <summary>
/// GET/POST /portForward/{ns}/{pod}: SPDY/3.1 with the portforward.k8s.io stream protocol, directly or tunneled in a
/// WebSocket (subprotocol SPDY/3.1+portforward.k8s.io, kubectl 1.31+). Each forwarded connection is a pair of client
/// streams (streamType error and data) sharing port and requestID headers; the data stream is joined to a TCP
/// connection to the port inside the pod, and failures are written to the error stream, as the kubelet does.
/// </summary>
internal sealed partial class PortForwardHandler(IContainerRuntime runtime, ContainerLocator locator, TimeSpan streamCreationTimeout, TimeProvider time, ILogger logger)
{
    public const string Protocol = "portforward.k8s.io";
    public const string TunnelProtocol = "SPDY/3.1+portforward.k8s.io";

    public async Task ServeAsync(HttpContext context, string ns, string pod)
    {
        var sandbox = await locator.FindSandboxAsync(ns, pod, context.RequestAborted);
        if (sandbox is null)
        {
            await Upgrades.PlainAsync(context, 404, $"pod not found (\"{pod}_{ns}\")");
            return;
        }
        var podName = $"{pod}_{ns}";
        var uid = sandbox.Config.PodUid;
        if (Upgrades.IsSpdy(context.Request))
        {
            if (await Upgrades.AcceptSpdyAsync(context, [Protocol]) is not var (spdy, _)) return;
            await using var _ = spdy;
            await ServeConnectionAsync(spdy, sandbox.Id, podName, uid, context.RequestAborted);
            return;
        }
        if (!Upgrades.IsWebSocket(context.Request))
        {
            await Upgrades.PlainAsync(context, 400, "unable to upgrade: missing upgrade headers in request");
            return;
        }
        var tunnel = Upgrades.Values(context.Request, "Sec-WebSocket-Protocol").Contains(TunnelProtocol);
        var ports = new List<ushort>();
        if (!tunnel && ParsePorts(context.Request.Query["port"], ports) is { } invalid)
        {
            await Upgrades.PlainAsync(context, 400, invalid);
            return;
        }
        if (await Upgrades.AcceptWebSocketAsync(context, tunnel ? [TunnelProtocol] : [WebSocketPortForward.Protocol]) is not var (socket, _)) return;
        using var __ = socket;
        if (tunnel)
        {
            await using var transport = new WebSocketByteStream(socket);
            await ServeConnectionAsync(transport, sandbox.Id, podName, uid, context.RequestAborted);
            return;
        }
        await WebSocketPortForward.RunAsync(socket, ports, (port, ct) => runtime.PortForwardAsync(sandbox.Id, port, ct),
            (port, message) => ErrorMessage(port, podName, uid, message), context.RequestAborted);
    }

    /// <summary>The kubelet's wording of a failed forward.</summary>
    private static string ErrorMessage(int port, string podName, string uid, string why) =>
        $"error forwarding port {port} to pod {podName}, uid {uid}: {why}";

    /// <summary>The port query parameters of the WebSocket protocol (each may hold a comma-separated list).</summary>
    private static string? ParsePorts(Microsoft.Extensions.Primitives.StringValues values, List<ushort> ports)
    {
        if (values.Count == 0) return "query parameter \"port\" is required";
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value)) return "query parameter \"port\" cannot be empty";
            foreach (var part in value.Split(','))
            {
                if (!ushort.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port)) return $"unable to parse \"{value}\" as a port";
                if (port < 1) return $"port \"{value}\" must be > 0";
                ports.Add(port);
            }
        }
        return null;
    }

    private async Task ServeConnectionAsync(Stream transport, string sandboxId, string podName, string uid, CancellationToken cancellationToken)
    {
        await using var connection = new SpdyConnection(transport);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = connection.RunAsync(stop.Token);
        var pairs = new Dictionary<string, (SpdyStream? Error, SpdyStream? Data, DateTimeOffset Since)>(StringComparer.Ordinal);
        var forwards = new List<Task>();
        await foreach (var stream in connection.IncomingStreams.ReadAllAsync(stop.Token))
        {
            var type = stream.Header("streamType");
            var requestId = RequestIdOf(stream, type);
            if (requestId is null || type is not ("error" or "data"))
            {
                await stream.ResetAsync(stop.Token);
                continue;
            }
            pairs.TryGetValue(requestId, out var pair);
            pair = type == "error" ? pair with { Error = stream } : pair with { Data = stream };
            if (pair.Since == default) pair.Since = time.GetUtcNow();
            if (pair.Error is null || pair.Data is null)
            {
                pairs[requestId] = pair;
                DropStale(pairs);
                continue;
            }
            pairs.Remove(requestId);
            forwards.Add(ForwardAsync(pair.Error, pair.Data, sandboxId, podName, uid, stop.Token));
        }
        await stop.CancelAsync();
        await Task.WhenAll(forwards);
        await reading;
    }

    /// <summary>Old clients send no requestID: the error stream's id names the pair, and its data stream is id + 2.</summary>
    private static string? RequestIdOf(SpdyStream stream, string? type)
    {
        var id = stream.Header("requestID");
        if (id is not null) return id;
        return type switch
        {
            "error" => stream.Id.ToString(CultureInfo.InvariantCulture),
            "data" => (stream.Id - 2).ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    /// <summary>A half pair older than the stream creation timeout is abandoned, as the kubelet does.</summary>
    private void DropStale(Dictionary<string, (SpdyStream? Error, SpdyStream? Data, DateTimeOffset Since)> pairs)
    {
        foreach (var (id, pair) in pairs.ToList())
        {
            if (time.GetUtcNow() - pair.Since < streamCreationTimeout) continue;
            pairs.Remove(id);
            _ = pair.Error?.ResetAsync();
            _ = pair.Data?.ResetAsync();
        }
    }

    private async Task ForwardAsync(SpdyStream error, SpdyStream data, string sandboxId, string podName, string uid, CancellationToken cancellationToken)
    {
        var portText = data.Header("port") ?? error.Header("port");
        try
        {
            if (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
                throw new InvalidOperationException($"invalid port {portText}");
            Stream target;
            try
            {
                target = await runtime.PortForwardAsync(sandboxId, port, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException(ErrorMessage(port, podName, uid, ex.Message), ex);
            }
            await using (target)
            {
                using var clientSide = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var toPod = CopyThenHalfCloseAsync(data, target, clientSide.Token);
                await CopyFromPodAsync(target, data, cancellationToken);
                // The pod's side ended: the connection is over whether or not the client closed its side.
                await clientSide.CancelAsync();
                await toPod;
            }
        }
        catch (InvalidOperationException ex)
        {
            LogForwardFailed(logger, podName, portText, ex.Message);
            try { await error.WriteAsync(Encoding.UTF8.GetBytes(ex.Message), cancellationToken); }
            catch (IOException) { }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await error.CloseWriteAsync(CancellationToken.None);
            await data.CloseWriteAsync(CancellationToken.None);
        }
    }

    private static async Task CopyThenHalfCloseAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken);
            // The client closed its side: pass the half-close on so the pod's server sees EOF.
            if (to is NetworkStream network) network.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static async Task CopyFromPodAsync(Stream from, SpdyStream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }
        await to.CloseWriteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "port-forward to {Pod} port {Port} failed: {Message}")]
    private static partial void LogForwardFailed(ILogger logger, string pod, string? port, string message);
}
