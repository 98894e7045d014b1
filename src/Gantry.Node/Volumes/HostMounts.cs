using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Gantry.Node.Volumes;

/// <summary>The few system calls volumes need: tmpfs mounts, unmounts, atomic renames and group ownership.</summary>
internal static partial class HostMounts
{
    private const int MntDetach = 2;
    private const int Einval = 22;
    private const int Enoent = 2;

    /// <summary>Mounts a tmpfs on <paramref name="target"/> unless one is there; <paramref name="sizeBytes"/> caps it when given.</summary>
    public static void MountTmpfs(string target, long? sizeBytes)
    {
        if (IsMountPoint(target)) return;
        var options = sizeBytes is { } size ? $"size={size}" : null;
        if (Mount("tmpfs", target, "tmpfs", 0, options) != 0) throw Error($"mount tmpfs on {target}");
    }

    /// <summary>Unmounts <paramref name="target"/> (lazily: a container may still hold it); nothing when not mounted.</summary>
    public static void Unmount(string target)
    {
        if (Umount2(target, MntDetach) == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        if (errno is Einval or Enoent) return;
        throw new Win32Exception(errno, $"unmount {target}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Whether something is mounted exactly on <paramref name="path"/> (from /proc/self/mountinfo).</summary>
    public static bool IsMountPoint(string path) => MountPoints().Contains(Path.GetFullPath(path).TrimEnd('/'));

    /// <summary>Every mount point of this mount namespace.</summary>
    public static HashSet<string> MountPoints()
    {
        var points = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4) points.Add(Unescape(fields[4]));
        }
        return points;
    }

    /// <summary>rename(2): atomically replaces <paramref name="destination"/>, even a symlink to a directory.</summary>
    public static void RenameOver(string source, string destination)
    {
        if (Rename(source, destination) != 0) throw Error($"rename {source} to {destination}");
    }

    /// <summary>Sets the group of <paramref name="path"/> (not following a symlink).</summary>
    public static void SetGroup(string path, long group)
    {
        if (Lchown(path, -1, (int)group) != 0) throw Error($"chown {path} to group {group}");
    }

    /// <summary>mountinfo escapes spaces, tabs, newlines and backslashes as octal.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }

    private static Win32Exception Error(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Win32Exception(errno, $"{what}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string type, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string source, string destination);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Lchown(string path, int owner, int group);
}
