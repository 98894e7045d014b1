using Microsoft.Extensions.Logging;

namespace Gantry.Node.Network.Overlay;

/// <summary>The overlay's log messages.</summary>
internal static partial class OverlayLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "overlay for node {Node}: {Backend} over {Uplink} ({Address}), masquerade in nftables table ip {Table}")]
    public static partial void Starting(ILogger logger, string node, string backend, string uplink, string address, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node IP {Address} is a loopback address: no other node can reach this one, the overlay stays off")]
    public static partial void LoopbackNodeIp(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "VXLAN device {Device} (re)created with MAC {Mac}")]
    public static partial void DeviceCreated(ILogger logger, string device, string mac);

    [LoggerMessage(Level = LogLevel.Debug, Message = "node {Node} has no pod CIDR yet: the overlay waits for it")]
    public static partial void WaitingForPodCidr(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "overlay synced: {Peers} peer nodes, {Changes} route and entry changes in {Milliseconds} ms")]
    public static partial void Synced(ILogger logger, int peers, int changes, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "overlay sync failed; retrying")]
    public static partial void SyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "overlay cleanup failed")]
    public static partial void CleanupFailed(ILogger logger, Exception exception);
}
