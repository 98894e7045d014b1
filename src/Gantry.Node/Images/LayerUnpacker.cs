using System.Formats.Tar;
using System.Text;

namespace Gantry.Node.Images;

/// <summary>
/// Unpacks one layer tar into its own directory for use as an overlayfs lowerdir (not flattened onto the layers below):
/// OCI whiteouts become what overlayfs understands — <c>.wh.NAME</c> a 0/0 character device NAME, <c>.wh..wh..opq</c>
/// the <c>trusted.overlay.opaque=y</c> xattr on its directory — as containerd's overlay snapshotter does.
/// </summary>
internal static class LayerUnpacker
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>The layer's diff id (sha256 of the uncompressed tar) and the bytes of its regular files.</summary>
    public readonly record struct Result(string DiffId, long Size);

    /// <summary>Unpacks the (plain or gzip) tar at <paramref name="blobPath"/> into the new directory <paramref name="target"/>.</summary>
    public static async Task<Result> UnpackAsync(string blobPath, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        var root = Path.GetFullPath(target);
        using var hashing = new HashingStream(Compression.OpenDecompressed(blobPath));
        var state = new State(root);
        using (var reader = new TarReader(hashing, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await ApplyAsync(state, entry, cancellationToken);
            }
        }
        await hashing.DrainAsync(cancellationToken);
        // Directory times last: creating their children changed them.
        foreach (var (path, time) in state.DirectoryTimes.AsEnumerable().Reverse()) SetTime(path, time);
        return new Result(hashing.Digest(), state.Size);
    }

    private sealed class State(string root)
    {
        public string Root { get; } = root;
        public HashSet<string> CheckedDirectories { get; } = [root];
        public List<(string Path, DateTimeOffset Time)> DirectoryTimes { get; } = [];
        public long Size { get; set; }
    }

    private static async Task ApplyAsync(State state, TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) return;
        var relative = CleanPath(entry.Name);
        if (relative.Length == 0)
        {
            if (entry.EntryType == TarEntryType.Directory) SetMetadata(state, state.Root, entry, isDirectory: true);
            return;
        }
        var path = Path.Combine(state.Root, relative);
        var parent = Path.GetDirectoryName(path)!;
        EnsureDirectory(state, parent);
        var name = Path.GetFileName(path);
        if (name == OpaqueMarker)
        {
            RequireRoot(entry.Name);
            LibC.LSetXattr(parent, "trusted.overlay.opaque", "y"u8.ToArray());
            return;
        }
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            RequireRoot(entry.Name);
            var hidden = Path.Combine(parent, name[WhiteoutPrefix.Length..]);
            RemoveExisting(state, hidden);
            LibC.MkNod(hidden, LibC.CharacterDevice, 0, 0);
            return;
        }
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (!Directory.Exists(path) || IsSymlink(path))
                {
                    RemoveExisting(state, path);
                    Directory.CreateDirectory(path);
                }
                state.CheckedDirectories.Add(path);
                SetMetadata(state, path, entry, isDirectory: true);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                RemoveExisting(state, path);
                await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    if (entry.DataStream is { } data) await data.CopyToAsync(file, cancellationToken);
                }
                state.Size += entry.Length;
                SetMetadata(state, path, entry, isDirectory: false);
                break;
            case TarEntryType.SymbolicLink:
                RemoveExisting(state, path);
                File.CreateSymbolicLink(path, entry.LinkName);
                SetOwnerAndTime(path, entry);
                break;
            case TarEntryType.HardLink:
                var existing = Path.Combine(state.Root, CleanPath(entry.LinkName));
                if (!File.Exists(existing) && !IsSymlink(existing))
                    throw new InvalidDataException($"tar entry \"{entry.Name}\" links to \"{entry.LinkName}\", which the layer does not contain");
                EnsureDirectory(state, Path.GetDirectoryName(existing)!);
                RemoveExisting(state, path);
                LibC.Link(existing, path);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                // Unprivileged unpacking skips device nodes, as containerd does in user namespaces; a FIFO needs no privilege.
                if (entry.EntryType != TarEntryType.Fifo && !LibC.IsRoot) return;
                RemoveExisting(state, path);
                var type = entry.EntryType switch { TarEntryType.CharacterDevice => LibC.CharacterDevice, TarEntryType.BlockDevice => LibC.BlockDevice, _ => LibC.Fifo };
                LibC.MkNod(path, type | (uint)entry.Mode, entry is PosixTarEntry p ? p.DeviceMajor : 0, entry is PosixTarEntry q ? q.DeviceMinor : 0);
                SetMetadata(state, path, entry, isDirectory: false);
                break;
            default:
                throw new InvalidDataException($"tar entry \"{entry.Name}\" has an unsupported type {entry.EntryType}");
        }
    }

    /// <summary>The entry's path relative to the layer root; ".." anywhere is a path-traversal attempt and is rejected.</summary>
    internal static string CleanPath(string name)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains("..")) throw new InvalidDataException($"tar entry \"{name}\" points outside the layer");
        return string.Join('/', parts);
    }

    /// <summary>Creates missing parents; refuses to write through a symlink, which could point anywhere on the host.</summary>
    private static void EnsureDirectory(State state, string directory)
    {
        if (state.CheckedDirectories.Contains(directory)) return;
        EnsureDirectory(state, Path.GetDirectoryName(directory)!);
        if (IsSymlink(directory)) throw new InvalidDataException($"tar entry under \"{Path.GetRelativePath(state.Root, directory)}\" would be written through a symlink");
        if (!Directory.Exists(directory))
        {
            if (File.Exists(directory)) File.Delete(directory);
            Directory.CreateDirectory(directory);
        }
        state.CheckedDirectories.Add(directory);
    }

    private static void RemoveExisting(State state, string path)
    {
        if (IsSymlink(path) || File.Exists(path)) File.Delete(path);
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
            // Cached checks for directories below it are now wrong.
            state.CheckedDirectories.RemoveWhere(d => d.StartsWith(path + "/", StringComparison.Ordinal) || d == path);
        }
    }

    private static bool IsSymlink(string path)
    {
        try
        {
            return File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    private static void RequireRoot(string name)
    {
        if (!LibC.IsRoot) throw new UnauthorizedAccessException($"tar entry \"{name}\" is a whiteout: overlayfs whiteouts (0/0 devices, trusted.* xattrs) need root");
    }

    private static void SetMetadata(State state, string path, TarEntry entry, bool isDirectory)
    {
        if (LibC.IsRoot) LibC.LChown(path, entry.Uid, entry.Gid);
        // After chown, which clears setuid/setgid bits.
        LibC.Chmod(path, (uint)entry.Mode);
        if (entry is PaxTarEntry pax) SetXattrs(path, pax);
        if (isDirectory) state.DirectoryTimes.Add((path, entry.ModificationTime));
        else SetTime(path, entry.ModificationTime);
    }

    private static void SetOwnerAndTime(string path, TarEntry entry)
    {
        if (LibC.IsRoot) LibC.LChown(path, entry.Uid, entry.Gid);
        SetTime(path, entry.ModificationTime);
    }

    private static void SetTime(string path, DateTimeOffset time) => LibC.LUTimes(path, time < DateTimeOffset.UnixEpoch ? DateTimeOffset.UnixEpoch : time);

    private static void SetXattrs(string path, PaxTarEntry entry)
    {
        const string prefix = "SCHILY.xattr.";
        foreach (var (key, value) in entry.ExtendedAttributes)
        {
            // PAX values reach us as decoded text: a binary value that did not survive decoding is skipped, not corrupted.
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || value.Contains('\uFFFD')) continue;
            var name = key[prefix.Length..];
            // overlayfs's own attributes (opaque, redirect, metacopy) come only from whiteouts, never from image content.
            if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal)) continue;
            if (!LibC.IsRoot && !name.StartsWith("user.", StringComparison.Ordinal)) continue;
            LibC.LSetXattr(path, name, Encoding.UTF8.GetBytes(value));
        }
    }
}
