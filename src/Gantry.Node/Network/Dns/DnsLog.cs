using Microsoft.Extensions.Logging;

namespace Gantry.Node.Network.Dns;

/// <summary>The cluster DNS server's log messages.</summary>
internal static partial class DnsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "cluster DNS for {Domain} listening on {Endpoints}, forwarding to {Upstreams}")]
    public static partial void Listening(ILogger logger, string domain, string endpoints, string upstreams);

    [LoggerMessage(Level = LogLevel.Warning, Message = "upstream DNS query for {Name} failed: {Reason}")]
    public static partial void UpstreamFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster DNS query failed: {Reason}")]
    public static partial void QueryFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster DNS zone rebuild failed: {Reason}")]
    public static partial void RebuildFailed(ILogger logger, string reason);
}
