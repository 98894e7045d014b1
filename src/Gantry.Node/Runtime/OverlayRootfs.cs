using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// A container's root filesystem: overlayfs with the image's layers as lowerdirs (top layer first) and a writable
/// upper/work pair of its own. When the options with absolute paths fit in the one page mount(2) takes, the agent
/// mounts in process (an execution of mount costs milliseconds of every container start); otherwise they name layers
/// through short relative symlinks (l/0, l/1, ...) and util-linux mount runs from the container's directory, so images
/// with many layers still mount.
/// </summary>
internal static class OverlayRootfs
{
    // mount(2) copies at most one page of options, terminating NUL included.
    private const int MountDataLimit = 4096;

    // Characters overlayfs would read as separators (or escapes) inside a path.
    private static readonly char[] OptionSeparators = [',', ':', '\\'];

    /// <summary>Mounts the rootfs at <c>{containerDirectory}/rootfs</c> and returns its path.</summary>
    public static async Task<string> MountAsync(string containerDirectory, IReadOnlyList<string> layerDirs, CancellationToken cancellationToken)
    {
        if (layerDirs.Count == 0)
        {
            throw new InvalidOperationException("image has no layers");
        }

        containerDirectory = Path.GetFullPath(containerDirectory);
        var rootfs = Path.Combine(containerDirectory, "rootfs");
        var upper = Path.Combine(containerDirectory, "upper");
        var work = Path.Combine(containerDirectory, "work");
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(rootfs);
        var layers = layerDirs.Reverse().Select(Path.GetFullPath).ToList();
        if (layers.FirstOrDefault(layer => !Directory.Exists(layer)) is { } missing)
        {
            throw new InvalidOperationException($"image layer {missing} is missing");
        }

        var absolute = $"lowerdir={string.Join(':', layers)},upperdir={upper},workdir={work}";
        if (absolute.Length < MountDataLimit && !layers.Append(containerDirectory).Any(path => path.IndexOfAny(OptionSeparators) >= 0))
        {
            NativeMethods.Mount("overlay", rootfs, "overlay", 0, absolute);
            return rootfs;
        }

        await MountThroughLinksAsync(containerDirectory, layers, rootfs, cancellationToken).ConfigureAwait(false);
        return rootfs;
    }

    // lowerdir lists the top layer first: layers are in that order here.
    private static async Task MountThroughLinksAsync(string containerDirectory, List<string> layers, string rootfs, CancellationToken cancellationToken)
    {
        var links = Path.Combine(containerDirectory, "l");
        Directory.CreateDirectory(links);
        var lower = new List<string>();
        for (var i = 0; i < layers.Count; i++)
        {
            var name = i.ToString(CultureInfo.InvariantCulture);
            var link = Path.Combine(links, name);
            if (!File.Exists(link) && !Directory.Exists(link))
            {
                File.CreateSymbolicLink(link, layers[i]);
            }

            lower.Add("l/" + name);
        }

        var options = $"lowerdir={string.Join(':', lower)},upperdir=upper,workdir=work";
        await HostCommand.RunCheckedAsync(
            "mount", ["-t", "overlay", "overlay", "-o", options, rootfs], cancellationToken, containerDirectory).ConfigureAwait(false);
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
