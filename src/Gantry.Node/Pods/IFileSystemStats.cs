namespace Gantry.Node.Pods;

/// <summary>
/// Capacity and availability of the file system holding a path (statvfs), as the kubelet's stats provider reports
/// nodefs and imagefs; replaceable so tests can present a full disk without filling one.
/// </summary>
public interface IFileSystemStats
{
    /// <summary>The usage of the file system that holds <paramref name="path"/>.</summary>
    FileSystemUsage Get(string path);
}
