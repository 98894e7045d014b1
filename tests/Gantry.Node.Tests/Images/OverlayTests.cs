using Gantry.Node.Images;
using Gantry.Testing.Images;

namespace Gantry.Node.Tests.Images;

public sealed class OverlayTests
{
    [Fact]
    public async Task UnpackedLayers_MountedAsOverlayLowerdirs_ShowTheMergedImage()
    {
        using var dir = new TestDirectory();
        using var images = new ImageService(new NodePaths(dir["data"], "node-1"));
        BusyboxImage.WriteOciLayout(dir["layout"]);
        var image = Assert.Single(await images.ImportAsync(dir["layout"], CancellationToken.None));
        var merged = dir["merged"];
        Directory.CreateDirectory(merged);

        await Tool.RunAsync("/usr/bin/mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + string.Join(':', image.LayerDirs.Reverse()), merged);
        try
        {
            Assert.False(File.Exists(Path.Combine(merged, "etc/motd")), "the top layer's whiteout hides /etc/motd");
            Assert.Equal(["new.txt"], Directory.GetFileSystemEntries(Path.Combine(merged, "var/stale")).Select(Path.GetFileName));
            Assert.Equal("busybox", new FileInfo(Path.Combine(merged, "bin/sh")).LinkTarget);
            Assert.Contains("nobody:x:65534", await File.ReadAllTextAsync(Path.Combine(merged, "etc/passwd")));
            Assert.Equal("hello from gantry busybox", (await Tool.RunAsync("/usr/sbin/chroot", merged, "/bin/sh", "-c", "cat /srv/www/index.html")).Trim());
        }
        finally
        {
            await Tool.RunAsync("/usr/bin/umount", merged);
        }
    }
}
