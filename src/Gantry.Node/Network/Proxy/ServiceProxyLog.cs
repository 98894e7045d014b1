using Microsoft.Extensions.Logging;

namespace Gantry.Node.Network.Proxy;

/// <summary>The service proxy's log messages.</summary>
internal static partial class ServiceProxyLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "service proxy for node {Node} programs nftables table ip {Table}")]
    public static partial void Starting(ILogger logger, string node, string table);

    [LoggerMessage(Level = LogLevel.Debug, Message = "synced {ServicePorts} service ports, {Endpoints} endpoints: {Kind} transaction of {Lines} lines in {Milliseconds} ms")]
    public static partial void Synced(ILogger logger, int servicePorts, int endpoints, string kind, int lines, long milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "staged {Chains} chains and {Sets} affinity sets ahead of the next sync")]
    public static partial void Staged(ILogger logger, int chains, int sets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "service proxy sync failed; the next sync rewrites the whole table")]
    public static partial void SyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "service proxy cleanup failed")]
    public static partial void CleanupFailed(ILogger logger, Exception exception);
}
