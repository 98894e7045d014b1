namespace Gantry.Node.Volumes;

/// <summary>
/// The kubelet's fsGroup handling: files and directories get the group, group read (and write unless the volume is
/// read-only) and directories the setgid bit, so files created later inherit the group.
/// </summary>
internal static class VolumeOwnership
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead;
    private const UnixFileMode ReadWrite = ReadOnly | UnixFileMode.UserWrite | UnixFileMode.GroupWrite;
    private const UnixFileMode Exec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute;

    /// <summary>Applies <paramref name="fsGroup"/> to <paramref name="path"/> and, when <paramref name="recursive"/>, below it (symlinks only get the group).</summary>
    public static void Apply(string path, long fsGroup, bool readOnly, bool recursive = true)
    {
        Change(path, fsGroup, readOnly);
        if (!recursive || !Directory.Exists(path)) return;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var entry in Directory.EnumerateFileSystemEntries(path, "*", options)) Change(entry, fsGroup, readOnly);
    }

    private static void Change(string path, long fsGroup, bool readOnly)
    {
        HostMounts.SetGroup(path, fsGroup);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return;
        var mask = readOnly ? ReadOnly : ReadWrite;
        if ((info.Attributes & FileAttributes.Directory) != 0) mask |= UnixFileMode.SetGroup | Exec;
        var current = File.GetUnixFileMode(path);
        if ((current | mask) != current) File.SetUnixFileMode(path, current | mask);
    }
}
