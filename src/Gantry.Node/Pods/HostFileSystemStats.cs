namespace Gantry.Node.Pods;

/// <summary>statvfs of the host (through <see cref="DriveInfo"/>, which calls it for any path on Linux).</summary>
internal sealed class HostFileSystemStats : IFileSystemStats
{
    /// <inheritdoc />
    public FileSystemUsage Get(string path)
    {
        // A directory not created yet lives on its nearest existing ancestor's file system.
        var existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        var drive = new DriveInfo(existing);
        return new FileSystemUsage(drive.TotalSize, drive.AvailableFreeSpace);
    }
}
