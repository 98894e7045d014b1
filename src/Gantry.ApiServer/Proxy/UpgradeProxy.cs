using System.Globalization;
using System.Net.Security;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gantry.ApiServer.Proxy;

/// <summary>
/// Relays an HTTP/1.1 upgrade (SPDY/3.1 or WebSocket) to an agent: the request goes up with its upgrade headers; a
/// 101 answer is passed to the client and then bytes flow both ways untouched until either side closes. Any other
/// answer is passed back as is (kubectl prints its body after "unable to upgrade connection").
/// </summary>
internal static class UpgradeProxy
{
    /// <summary>Request headers the upgrade handshakes need; credentials and hop-by-hop headers stay behind.</summary>
    private static readonly string[] ForwardedHeaders =
    [
        "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
        "X-Stream-Protocol-Version", "User-Agent", "Origin",
    ];

    /// <summary>Response headers the client needs to complete its side of the handshake.</summary>
    private static readonly string[] ReturnedHeaders =
    [
        "Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "X-Stream-Protocol-Version", "X-Accepted-Stream-Protocol-Versions",
    ];

    public static async Task RelayAsync(HttpContext context, SslStream upstream, string pathAndQuery, string authority, CancellationToken cancellationToken)
    {
        var request = new StringBuilder();
        request.Append(context.Request.Method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n");
        request.Append("Host: ").Append(authority).Append("\r\n");
        foreach (var name in ForwardedHeaders)
        {
            foreach (var value in context.Request.Headers[name])
                request.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        request.Append("Content-Length: 0\r\n\r\n");
        await upstream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);
        await upstream.FlushAsync(cancellationToken);

        var (status, headers, leftover) = await ReadHeadAsync(upstream, cancellationToken);
        if (status != 101)
        {
            await RelayErrorAsync(context, upstream, status, headers, leftover, cancellationToken);
            return;
        }
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true }) throw new InvalidOperationException("the client connection cannot be upgraded");
        foreach (var name in ReturnedHeaders)
        {
            if (headers.TryGetValue(name, out var values)) context.Response.Headers[name] = values.ToArray();
        }
        await using var client = await upgrade.UpgradeAsync();
        if (leftover.Length > 0) await client.WriteAsync(leftover, cancellationToken);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = PumpAsync(client, upstream, done.Token);
        var down = PumpAsync(upstream, client, done.Token);
        // Either side closing ends the session for both (as Kubernetes' upgrade-aware proxy).
        await Task.WhenAny(up, down);
        await done.CancelAsync();
        await Task.WhenAll(up, down);
    }

    private static async Task PumpAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await to.FlushAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException
            or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
        }
    }

    /// <summary>Reads the status line and headers; returns any bytes read past them.</summary>
    private static async Task<(int Status, Dictionary<string, List<string>> Headers, byte[] Leftover)> ReadHeadAsync(Stream upstream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>(1024);
        var chunk = new byte[4096];
        int end;
        while ((end = IndexOfHeadEnd(buffer)) < 0)
        {
            if (buffer.Count > 64 * 1024) throw new InvalidDataException("agent response head too large");
            var read = await upstream.ReadAsync(chunk, cancellationToken);
            if (read == 0) throw new IOException("the agent closed the connection before answering");
            buffer.AddRange(chunk.AsSpan(0, read));
        }
        var head = Encoding.ASCII.GetString(buffer.GetRange(0, end).ToArray());
        var lines = head.Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            throw new InvalidDataException($"malformed agent status line: {lines[0]}");
        var headers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            if (!headers.TryGetValue(name, out var list)) headers[name] = list = [];
            list.Add(line[(colon + 1)..].Trim());
        }
        return (status, headers, buffer.GetRange(end + 4, buffer.Count - end - 4).ToArray());
    }

    private static int IndexOfHeadEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') return i;
        }
        return -1;
    }

    private static async Task RelayErrorAsync(HttpContext context, Stream upstream, int status, Dictionary<string, List<string>> headers,
        byte[] leftover, CancellationToken cancellationToken)
    {
        // The kubelet answers errors with a small body and a Content-Length; read at most 64 KiB of it.
        var body = new MemoryStream();
        body.Write(leftover);
        var length = headers.TryGetValue("Content-Length", out var values) && long.TryParse(values[0], out var l) ? l : 64 * 1024;
        var chunk = new byte[4096];
        while (body.Length < Math.Min(length, 64 * 1024))
        {
            var read = await upstream.ReadAsync(chunk, cancellationToken);
            if (read == 0) break;
            body.Write(chunk, 0, read);
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = headers.TryGetValue("Content-Type", out var type) ? type[0] : "text/plain; charset=utf-8";
        foreach (var name in ReturnedHeaders)
        {
            if (headers.TryGetValue(name, out var returned)) context.Response.Headers[name] = returned.ToArray();
        }
        await context.Response.Body.WriteAsync(body.ToArray(), cancellationToken);
    }
}
