using Gantry.Client.Events;
using Gantry.Node.Images;
using Gantry.Node.Runtime;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Pods;

/// <summary>
/// The kubelet's image garbage collector (pkg/kubelet/images/image_gc_manager.go): when the image file system's usage
/// reaches the high threshold, unused images (no container the runtime lists uses them, first seen at least
/// <see cref="NodeAgentOptions.ImageMinimumGcAge"/> ago) are removed, least recently used first, until usage is back
/// at the low threshold. Failures become the kubelet's node events: InvalidDiskCapacity, FreeDiskSpaceFailed, and
/// ImageGCFailed from the second failed pass in a row.
/// </summary>
internal sealed partial class ImageGcManager
{
    private readonly IImageService _images;
    private readonly IContainerRuntime _runtime;
    private readonly IFileSystemStats _disks;
    private readonly string _imageFsPath;
    private readonly NodeAgentOptions _options;
    private readonly Action<string, string, string> _nodeEvent;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DateTimeOffset> _firstDetected = new(StringComparer.Ordinal);
    private bool _initialized;
    private bool _previousFailed;

    /// <summary>
    /// A collector of <paramref name="images"/> stored on the file system of <paramref name="imageFsPath"/>;
    /// <paramref name="nodeEvent"/> records an event (type, reason, message) about the node.
    /// </summary>
    public ImageGcManager(IImageService images, IContainerRuntime runtime, IFileSystemStats disks, string imageFsPath, NodeAgentOptions options,
        Action<string, string, string> nodeEvent, TimeProvider time, ILogger logger)
    {
        // The kubelet's NewImageGCManager checks.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ImageGcHighThresholdPercent, 100);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ImageGcLowThresholdPercent);
        if (options.ImageGcLowThresholdPercent > options.ImageGcHighThresholdPercent)
        {
            throw new ArgumentException(
                $"LowThresholdPercent {options.ImageGcLowThresholdPercent} can not be higher than HighThresholdPercent {options.ImageGcHighThresholdPercent}");
        }

        _images = images;
        _runtime = runtime;
        _disks = disks;
        _imageFsPath = imageFsPath;
        _options = options;
        _nodeEvent = nodeEvent;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether collection is on (a high threshold of 100 turns it off, as in the kubelet).</summary>
    public bool Enabled => _options.ImageGcHighThresholdPercent < 100;

    /// <summary>
    /// Notes the stored images; those present at the first detection count as seen long ago (the kubelet's initial
    /// detection), so an agent restart does not shield old images for another minimum age.
    /// </summary>
    public void DetectImages()
    {
        var now = _initialized ? _time.GetUtcNow() : DateTimeOffset.MinValue;
        var stored = _images.List().Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in stored) _firstDetected.TryAdd(id, now);
        foreach (var id in _firstDetected.Keys.Where(id => !stored.Contains(id)).ToList()) _firstDetected.Remove(id);
        _initialized = true;
    }

    /// <summary>One periodic pass: collect when over the high threshold; a failed pass is logged, and the second in a row is an event.</summary>
    public async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await GarbageCollectAsync(cancellationToken).ConfigureAwait(false);
            _previousFailed = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_previousFailed) _nodeEvent(EventTypes.Warning, "ImageGCFailed", ex.Message);
            LogGcFailed(_logger, ex, _previousFailed);
            _previousFailed = true;
        }
    }

    /// <summary>Frees images down to the low threshold when usage is at or over the high one; throws when it cannot.</summary>
    public async Task GarbageCollectAsync(CancellationToken cancellationToken)
    {
        DetectImages();
        var usage = _disks.Get(_imageFsPath);
        var capacity = usage.CapacityBytes;
        var available = Math.Min(usage.AvailableBytes, capacity);
        if (capacity <= 0)
        {
            const string invalid = "invalid capacity 0 on image filesystem";
            _nodeEvent(EventTypes.Warning, "InvalidDiskCapacity", invalid);
            throw new InvalidOperationException(invalid);
        }

        // Integer percentages, as the kubelet computes them.
        var usagePercent = 100 - (int)(available * 100 / capacity);
        if (usagePercent < _options.ImageGcHighThresholdPercent) return;
        var amountToFree = capacity * (100 - _options.ImageGcLowThresholdPercent) / 100 - available;
        LogOverThreshold(_logger, usagePercent, _options.ImageGcHighThresholdPercent, amountToFree, _options.ImageGcLowThresholdPercent);
        var freed = await FreeSpaceAsync(amountToFree, cancellationToken).ConfigureAwait(false);
        if (freed < amountToFree)
        {
            var message = $"Failed to garbage collect required amount of images. Attempted to free {amountToFree} bytes, but only found {freed} bytes eligible to free.";
            _nodeEvent(EventTypes.Warning, "FreeDiskSpaceFailed", message);
            throw new InvalidOperationException(message);
        }
    }

    // Images used by any container the runtime knows (running or exited), and images too young to go, are protected;
    // the image service removes the rest least recently used first.
    private async Task<long> FreeSpaceAsync(long bytesToFree, CancellationToken cancellationToken)
    {
        var containers = await _runtime.ListContainersAsync(cancellationToken).ConfigureAwait(false);
        var protectedIds = containers.Select(c => c.ImageId).ToHashSet(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        foreach (var (id, first) in _firstDetected)
        {
            if (now - first < _options.ImageMinimumGcAge) protectedIds.Add(id);
        }

        var freed = await _images.GarbageCollectAsync(bytesToFree, protectedIds, cancellationToken).ConfigureAwait(false);
        DetectImages();
        return freed;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold (usage {Usage}%, high {High}%, to free {AmountToFree} bytes, low {Low}%)")]
    private static partial void LogOverThreshold(ILogger logger, int usage, int high, long amountToFree, int low);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image garbage collection failed (again: {Repeated})")]
    private static partial void LogGcFailed(ILogger logger, Exception exception, bool repeated);
}
