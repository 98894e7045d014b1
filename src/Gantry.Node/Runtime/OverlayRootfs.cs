using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// A container's root filesystem: overlayfs with the image's layers as lowerdirs (top layer first) and a writable
/// upper/work pair of its own. The mount options name layers through short relative symlinks (l/0, l/1, ...) and the
/// mount runs from the container's directory, so images with many layers stay under the one-page option limit.
/// </summary>
internal static class OverlayRootfs
{
    /// <summary>Mounts the rootfs at <c>{containerDirectory}/rootfs</c> and returns its path.</summary>
    public static async Task<string> MountAsync(string containerDirectory, IReadOnlyList<string> layerDirs, CancellationToken cancellationToken)
    {
        if (layerDirs.Count == 0)
        {
            throw new InvalidOperationException("image has no layers");
        }

        var links = Path.Combine(containerDirectory, "l");
        Directory.CreateDirectory(links);
        var lower = new List<string>();
        for (var i = 0; i < layerDirs.Count; i++)
        {
            // lowerdir lists the top layer first; LayerDirs is bottom first.
            var layer = layerDirs[layerDirs.Count - 1 - i];
            if (!Directory.Exists(layer))
            {
                throw new InvalidOperationException($"image layer {layer} is missing");
            }

            var name = i.ToString(CultureInfo.InvariantCulture);
            var link = Path.Combine(links, name);
            if (!File.Exists(link) && !Directory.Exists(link))
            {
                File.CreateSymbolicLink(link, Path.GetFullPath(layer));
            }

            lower.Add("l/" + name);
        }

        var rootfs = Path.Combine(containerDirectory, "rootfs");
        Directory.CreateDirectory(Path.Combine(containerDirectory, "upper"));
        Directory.CreateDirectory(Path.Combine(containerDirectory, "work"));
        Directory.CreateDirectory(rootfs);
        var options = $"lowerdir={string.Join(':', lower)},upperdir=upper,workdir=work";
        await HostCommand.RunCheckedAsync(
            "mount", ["-t", "overlay", "overlay", "-o", options, rootfs], cancellationToken, containerDirectory).ConfigureAwait(false);
        return rootfs;
    }

    /// <summary>Unmounts the rootfs if mounted.</summary>
    public static void Unmount(string containerDirectory) => NativeMethods.TryUnmount(Path.Combine(containerDirectory, "rootfs"));

    /// <summary>Unmounts the rootfs and deletes the container's directory (the log lives elsewhere and stays).</summary>
    public static void DeleteContainerDirectory(string containerDirectory)
    {
        Unmount(containerDirectory);
        if (Directory.Exists(containerDirectory))
        {
            // Symlinks (layer links, conmon's socket link) are removed, never followed.
            Directory.Delete(containerDirectory, recursive: true);
        }
    }
}
