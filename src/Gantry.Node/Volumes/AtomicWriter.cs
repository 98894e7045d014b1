using System.Globalization;

namespace Gantry.Node.Volumes;

/// <summary>
/// The kubelet's atomic writer: a volume's files live in a timestamped directory (<c>..2024_05_01_10_00_00.123456789</c>);
/// <c>..data</c> is a symlink to the current one, swapped with one rename, and every top-level user-visible name is a
/// symlink into <c>..data</c>. Readers therefore see either the old or the new set of files, never a mix. Nothing is
/// rewritten when the content is unchanged.
/// </summary>
internal sealed class AtomicWriter(string targetDir, TimeProvider time)
{
    private const string DataDirName = "..data";
    private const string NewDataDirName = "..data_tmp";

    /// <summary>
    /// Makes the directory hold exactly <paramref name="payload"/> (relative path -> file); <paramref name="setPermissions"/>
    /// runs on the new timestamped directory before it becomes visible. Returns whether anything was written.
    /// </summary>
    public bool Write(IReadOnlyDictionary<string, FileProjection> payload, Action<string>? setPermissions = null)
    {
        foreach (var path in payload.Keys) Validate(path);
        Directory.CreateDirectory(targetDir);
        var dataLink = Path.Combine(targetDir, DataDirName);
        var oldTsName = new FileInfo(dataLink).LinkTarget;
        var oldTsDir = oldTsName is null ? null : Path.Combine(targetDir, oldTsName);
        if (oldTsDir is not null && !Directory.Exists(oldTsDir)) oldTsDir = null;

        var stale = oldTsDir is null ? [] : ExistingFiles(oldTsDir).Except(payload.Keys, StringComparer.Ordinal).ToList();
        if (oldTsDir is not null && stale.Count == 0 && !Changed(payload, oldTsDir))
        {
            CreateUserVisibleFiles(payload);
            return false;
        }

        var tsDir = CreateTimestampedDir();
        try
        {
            foreach (var (path, file) in payload)
            {
                var full = Path.Combine(tsDir, path);
                if (Path.GetDirectoryName(full) is { } parent && parent != tsDir)
                    Directory.CreateDirectory(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                File.WriteAllBytes(full, file.Data);
                // Set after writing: the umask must not change the requested mode.
                File.SetUnixFileMode(full, file.Mode);
            }
            setPermissions?.Invoke(tsDir);
            var newLink = Path.Combine(targetDir, NewDataDirName);
            if (Path.Exists(newLink) || new FileInfo(newLink).LinkTarget is not null) File.Delete(newLink);
            File.CreateSymbolicLink(newLink, Path.GetFileName(tsDir));
            HostMounts.RenameOver(newLink, dataLink);
        }
        catch
        {
            Directory.Delete(tsDir, recursive: true);
            throw;
        }

        CreateUserVisibleFiles(payload);
        var visible = payload.Keys.Select(TopLevel).ToHashSet(StringComparer.Ordinal);
        foreach (var name in stale.Select(TopLevel).Distinct().Where(n => !visible.Contains(n)))
        {
            var link = Path.Combine(targetDir, name);
            if (new FileInfo(link).LinkTarget is not null) File.Delete(link);
        }
        if (oldTsDir is not null) Directory.Delete(oldTsDir, recursive: true);
        return true;
    }

    /// <summary>Same rules as the kubelet: relative, no ".." element, not starting with "..".</summary>
    private static void Validate(string path)
    {
        if (path.Length == 0 || Path.IsPathRooted(path) || path.StartsWith("..", StringComparison.Ordinal) ||
            path.Split('/').Any(element => element == ".."))
        {
            throw new VolumeException($"invalid path in volume payload: {path}");
        }
    }

    private static string TopLevel(string path) => path.Split('/')[0];

    private static IEnumerable<string> ExistingFiles(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f));

    private static bool Changed(IReadOnlyDictionary<string, FileProjection> payload, string oldTsDir)
    {
        foreach (var (path, file) in payload)
        {
            var existing = Path.Combine(oldTsDir, path);
            if (!File.Exists(existing)) return true;
            var info = new FileInfo(existing);
            if (info.Length != file.Data.Length || !File.ReadAllBytes(existing).AsSpan().SequenceEqual(file.Data)) return true;
        }
        return false;
    }

    private void CreateUserVisibleFiles(IReadOnlyDictionary<string, FileProjection> payload)
    {
        foreach (var name in payload.Keys.Select(TopLevel).Distinct())
        {
            var link = Path.Combine(targetDir, name);
            if (new FileInfo(link).LinkTarget is not null || Path.Exists(link)) continue;
            File.CreateSymbolicLink(link, Path.Combine(DataDirName, name));
        }
    }

    private string CreateTimestampedDir()
    {
        var stamp = time.GetUtcNow().ToString("yyyy_MM_dd_HH_mm_ss", CultureInfo.InvariantCulture);
        while (true)
        {
            var dir = Path.Combine(targetDir, $"..{stamp}.{Random.Shared.Next(0, 1_000_000_000).ToString(CultureInfo.InvariantCulture)}");
            if (Path.Exists(dir)) continue;
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            return dir;
        }
    }
}
