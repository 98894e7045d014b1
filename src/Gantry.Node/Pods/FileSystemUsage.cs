namespace Gantry.Node.Pods;

/// <summary>A file system's size and the bytes unprivileged writers can still use (statvfs f_blocks and f_bavail).</summary>
/// <param name="CapacityBytes">Total size in bytes.</param>
/// <param name="AvailableBytes">Bytes available to unprivileged users.</param>
public readonly record struct FileSystemUsage(long CapacityBytes, long AvailableBytes);
