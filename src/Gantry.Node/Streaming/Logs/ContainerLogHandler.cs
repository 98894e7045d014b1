using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Gantry.Node.Streaming.Logs;

/// <summary>GET /containerLogs/{ns}/{pod}/{container}: the current (or previous) attempt's CRI log with the kubelet's query.</summary>
internal sealed class ContainerLogHandler(ContainerLocator locator, CriLogReader reader, TimeProvider time)
{
    public async Task ServeAsync(HttpContext context, string ns, string pod, string container)
    {
        var query = context.Request.Query;
        if (Parse(query, out var options) is { } invalid)
        {
            await Upgrades.PlainAsync(context, 400, invalid);
            return;
        }
        var previous = Flag(query, "previous");
        var attempts = await locator.FindAttemptsAsync(ns, pod, container, context.RequestAborted);
        var target = previous ? attempts.Skip(1).FirstOrDefault() : attempts.FirstOrDefault();
        if (target is null)
        {
            await Upgrades.PlainAsync(context, 400, previous
                ? $"previous terminated container \"{container}\" in pod \"{pod}\" not found"
                : $"container \"{container}\" in pod \"{pod}\" is not available");
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(context.RequestAborted);
        // A previous attempt has exited: following it ends at the end of its file.
        var follow = options.Follow && !previous;
        await reader.CopyAsync(target.LogPath, options with { Follow = follow }, context.Response.Body,
            ct => locator.IsRunningAsync(target.Id, ct), context.RequestAborted);
    }

    /// <summary>Reads the kubelet's log parameters; returns an error message for a bad one.</summary>
    private string? Parse(IQueryCollection query, out LogOptions options)
    {
        options = new LogOptions { Follow = Flag(query, "follow"), Timestamps = Flag(query, "timestamps") };
        if (query["tailLines"] is { Count: > 0 } tail && tail[0] is { Length: > 0 } tailText)
        {
            if (!long.TryParse(tailText, NumberStyles.None, CultureInfo.InvariantCulture, out var lines)) return $"invalid tailLines \"{tailText}\"";
            options = options with { TailLines = lines };
        }
        if (query["limitBytes"] is { Count: > 0 } limit && limit[0] is { Length: > 0 } limitText)
        {
            if (!long.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes < 1) return $"invalid limitBytes \"{limitText}\"";
            options = options with { LimitBytes = bytes };
        }
        if (query["sinceSeconds"] is { Count: > 0 } seconds && seconds[0] is { Length: > 0 } secondsText)
        {
            if (!long.TryParse(secondsText, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s < 1) return $"invalid sinceSeconds \"{secondsText}\"";
            options = options with { Since = time.GetUtcNow().AddSeconds(-s) };
        }
        else if (query["sinceTime"] is { Count: > 0 } since && since[0] is { Length: > 0 } sinceText)
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return $"invalid sinceTime \"{sinceText}\"";
            options = options with { Since = at };
        }
        return null;
    }

    private static bool Flag(IQueryCollection query, string name) =>
        query[name] is { Count: > 0 } values && values[0] is "1" or "true" or "True";
}
