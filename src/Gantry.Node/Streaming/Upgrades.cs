using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gantry.Node.Streaming;

/// <summary>
/// The two HTTP/1.1 upgrades the streaming endpoints accept: WebSocket (RFC 6455, with a negotiated
/// Sec-WebSocket-Protocol) and SPDY/3.1 (with X-Stream-Protocol-Version negotiation, as httpstream.Handshake).
/// </summary>
internal static class Upgrades
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    public const string SpdyProtocol = "SPDY/3.1";
    public const string StreamProtocolHeader = "X-Stream-Protocol-Version";

    public static bool IsWebSocket(HttpRequest request) => HasToken(request, "Upgrade", "websocket");

    public static bool IsSpdy(HttpRequest request) => HasToken(request, "Upgrade", SpdyProtocol);

    /// <summary>Every comma-separated value of a header, over all its lines.</summary>
    public static List<string> Values(HttpRequest request, string header)
    {
        var values = new List<string>();
        foreach (var line in request.Headers[header])
        {
            if (line is null) continue;
            foreach (var part in line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) values.Add(part);
        }
        return values;
    }

    /// <summary>The first of the client's protocols the server speaks (the client's preference wins).</summary>
    public static string? Negotiate(IEnumerable<string> client, IReadOnlyCollection<string> server) =>
        client.FirstOrDefault(server.Contains);

    /// <summary>Completes a WebSocket handshake with one of <paramref name="protocols"/>; null after answering an error.</summary>
    public static async Task<(WebSocket Socket, string Protocol)?> AcceptWebSocketAsync(HttpContext context, IReadOnlyCollection<string> protocols)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var key = context.Request.Headers["Sec-WebSocket-Key"].ToString();
        var offered = Values(context.Request, "Sec-WebSocket-Protocol");
        var protocol = Negotiate(offered, protocols);
        if (upgrade is not { IsUpgradableRequest: true } || key.Length == 0)
        {
            await PlainAsync(context, 400, "unable to upgrade: not a websocket upgrade request");
            return null;
        }
        if (protocol is null)
        {
            await PlainAsync(context, 400, $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(' ', offered)}], server accepts [{string.Join(' ', protocols)}]");
            return null;
        }
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + WebSocketGuid)));
        context.Response.Headers["Upgrade"] = "websocket";
        context.Response.Headers["Sec-WebSocket-Accept"] = accept;
        context.Response.Headers["Sec-WebSocket-Protocol"] = protocol;
        var stream = await upgrade.UpgradeAsync();
        // The subprotocol is already in the handshake; .NET would reject "SPDY/3.1+portforward.k8s.io" as a token anyway.
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) });
        return (socket, protocol);
    }

    /// <summary>Completes a SPDY/3.1 upgrade with one of <paramref name="protocols"/>; null after answering an error.</summary>
    public static async Task<(Stream Transport, string Protocol)?> AcceptSpdyAsync(HttpContext context, IReadOnlyCollection<string> protocols)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            await PlainAsync(context, 400, "unable to upgrade: missing upgrade headers in request");
            return null;
        }
        var offered = Values(context.Request, StreamProtocolHeader);
        var protocol = Negotiate(offered, protocols);
        if (protocol is null)
        {
            context.Response.Headers["X-Accepted-Stream-Protocol-Versions"] = protocols.ToArray();
            await PlainAsync(context, 403, offered.Count == 0
                ? $"unable to upgrade: {StreamProtocolHeader} is required"
                : $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(' ', offered)}], server accepts [{string.Join(' ', protocols)}]");
            return null;
        }
        context.Response.Headers["Upgrade"] = SpdyProtocol;
        context.Response.Headers[StreamProtocolHeader] = protocol;
        var transport = await upgrade.UpgradeAsync();
        return (transport, protocol);
    }

    /// <summary>A plain-text answer, as the kubelet writes its errors.</summary>
    public static async Task PlainAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        var body = Encoding.UTF8.GetBytes(message);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static bool HasToken(HttpRequest request, string header, string token) =>
        Values(request, header).Any(v => string.Equals(v, token, StringComparison.OrdinalIgnoreCase));
}
