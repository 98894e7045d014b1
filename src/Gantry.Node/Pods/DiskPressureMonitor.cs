using Gantry.Client.Events;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Pods;

/// <summary>
/// The disk half of the kubelet's eviction manager signals: nodefs.available (the data dir's file system) below
/// <see cref="NodeAgentOptions.EvictionNodeFsAvailableFraction"/> or imagefs.available (the image store's) below
/// <see cref="NodeAgentOptions.EvictionImageFsAvailableFraction"/> puts the node under disk pressure, which holds until
/// no threshold was met for <see cref="NodeAgentOptions.EvictionPressureTransitionPeriod"/>. The result feeds the
/// DiskPressure condition (<see cref="NodeFacts.DiskPressure"/>); changes are recorded as the kubelet's node events.
/// </summary>
internal sealed partial class DiskPressureMonitor(IFileSystemStats disks, string nodeFsPath, string imageFsPath, NodeAgentOptions options, NodeFacts node,
    Action<string, string, string> nodeEvent, TimeProvider time, ILogger logger)
{
    private DateTimeOffset? _lastObserved;

    /// <summary>Observes both file systems once and updates the node's disk pressure.</summary>
    public void Observe()
    {
        var now = time.GetUtcNow();
        var nodeFsLow = Below(disks.Get(nodeFsPath), options.EvictionNodeFsAvailableFraction);
        var imageFsLow = Below(disks.Get(imageFsPath), options.EvictionImageFsAvailableFraction);
        if (nodeFsLow || imageFsLow)
        {
            _lastObserved = now;
            LogThresholdMet(logger, nodeFsLow ? "nodefs.available" : "imagefs.available");
        }

        var pressure = _lastObserved is { } last && now - last < options.EvictionPressureTransitionPeriod || nodeFsLow || imageFsLow;
        if (pressure == node.DiskPressure) return;
        node.DiskPressure = pressure;
        var reason = pressure ? "NodeHasDiskPressure" : "NodeHasNoDiskPressure";
        nodeEvent(EventTypes.Normal, reason, $"Node {options.NodeName} status is now: {reason}");
    }

    // A percentage threshold is a share of capacity (the kubelet's GetThresholdQuantity).
    private static bool Below(FileSystemUsage usage, double fraction) =>
        usage.CapacityBytes > 0 && usage.AvailableBytes < usage.CapacityBytes * fraction;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Eviction threshold met: {Signal}")]
    private static partial void LogThresholdMet(ILogger logger, string signal);
}
