using System.IO.Compression;
using Gantry.Node.Images;
using Gantry.Testing.Images;

namespace Gantry.Node.Tests.Images;

public sealed class ImportTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly ImageService _images;

    public ImportTests() => _images = new ImageService(new NodePaths(_dir["data"], "node-1"));

    public void Dispose()
    {
        _images.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Import_OciLayout_NamesTheImageAndUnpacksItsLayers()
    {
        BusyboxImage.WriteOciLayout(_dir["layout"]);

        var image = Assert.Single(await _images.ImportAsync(_dir["layout"], CancellationToken.None));

        Assert.Equal(["gantry.test/busybox:1"], image.RepoTags);
        Assert.StartsWith("gantry.test/busybox@sha256:", Assert.Single(image.RepoDigests));
        Assert.Equal(3, image.LayerDirs.Count);
        Assert.True(File.Exists(Path.Combine(image.LayerDirs[0], "bin/busybox")));
        Assert.Equal(["sh"], image.Config.Cmd);
        Assert.Contains(BusyboxImage.PathEnv, image.Config.Env);
        Assert.True(image.Size > 1_000_000);
        Assert.Equal(image, _images.Find("gantry.test/busybox:1"), ImageInfoComparer.Instance);
        Assert.Equal(image.Id, _images.Find(image.Id)?.Id);
        Assert.Equal(image.Id, _images.Find(image.Id[7..19])?.Id);
        Assert.Equal(image.Id, _images.Find(image.RepoDigests[0])?.Id);
    }

    [Fact]
    public async Task Import_DockerSaveArchive_NormalizesNamesAsTheKubeletReportsThem()
    {
        BusyboxImage.WriteDockerArchive(_dir["busybox.tar"], "busybox");

        var image = Assert.Single(await _images.ImportAsync(_dir["busybox.tar"], CancellationToken.None));

        Assert.Equal(["docker.io/library/busybox:latest"], image.RepoTags);
        Assert.Equal(image.Id, _images.Find("busybox")?.Id);
        Assert.Equal(image.Id, _images.Find("docker.io/library/busybox:latest")?.Id);
    }

    [Fact]
    public async Task Import_GzippedOciArchive_GivesTheSameImageAsTheLayout()
    {
        BusyboxImage.WriteOciLayout(_dir["layout"]);
        BusyboxImage.WriteOciArchive(_dir["busybox.tar"], "gantry.test/other:2");
        await using (var input = File.OpenRead(_dir["busybox.tar"]))
        await using (var output = new GZipStream(File.Create(_dir["busybox.tar.gz"]), CompressionLevel.Fastest))
            await input.CopyToAsync(output);

        var fromLayout = Assert.Single(await _images.ImportAsync(_dir["layout"], CancellationToken.None));
        var fromArchive = Assert.Single(await _images.ImportAsync(_dir["busybox.tar.gz"], CancellationToken.None));

        Assert.Equal(fromLayout.Id, fromArchive.Id);
        Assert.Equal(fromLayout.LayerDirs, fromArchive.LayerDirs);
        Assert.Equal(["gantry.test/busybox:1", "gantry.test/other:2"], fromArchive.RepoTags.Order());
        Assert.Single(_images.List());
    }

    [Fact]
    public async Task Import_ArchivesWrittenBySkopeo()
    {
        BusyboxImage.WriteOciLayout(_dir["layout"]);
        await Tool.RunAsync("skopeo", "copy", "oci:" + _dir["layout"], "docker-archive:" + _dir["docker.tar"] + ":example.com/team/app:v1");
        await Tool.RunAsync("skopeo", "copy", "oci:" + _dir["layout"], "oci-archive:" + _dir["oci.tar"] + ":registry.local:5000/app:v2");

        var fromDocker = Assert.Single(await _images.ImportAsync(_dir["docker.tar"], CancellationToken.None));
        var fromOci = Assert.Single(await _images.ImportAsync(_dir["oci.tar"], CancellationToken.None));

        Assert.Equal(fromDocker.Id, fromOci.Id);
        Assert.Equal(["example.com/team/app:v1", "registry.local:5000/app:v2"], _images.Find(fromOci.Id)!.RepoTags.Order());
        Assert.Equal("hello from gantry busybox\n", File.ReadAllText(Path.Combine(fromDocker.LayerDirs[1], "srv/www/index.html")));
    }

    [Fact]
    public async Task Import_NotAnImageArchive_FailsWithTheReason()
    {
        await File.WriteAllTextAsync(_dir["notes.txt"], "not a tar");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _images.ImportAsync(_dir["notes.txt"], CancellationToken.None));
        Assert.Contains("is not a tar archive", error.Message);
        Assert.Empty(_images.List());
    }

    [Fact]
    public async Task Remove_DropsTheImageAndLayersNoOtherImageUses()
    {
        BusyboxImage.WriteOciLayout(_dir["layout"]);
        var image = Assert.Single(await _images.ImportAsync(_dir["layout"], CancellationToken.None));

        await _images.RemoveAsync("gantry.test/busybox:1", CancellationToken.None);
        await _images.RemoveAsync("gantry.test/busybox:1", CancellationToken.None);

        Assert.Empty(_images.List());
        Assert.All(image.LayerDirs, d => Assert.False(Directory.Exists(d)));
    }

    [Fact]
    public async Task DropDir_ArchivesAreImportedAtStartAndWhenTheyAppear()
    {
        var paths = new NodePaths(_dir["data"], "node-1");
        Directory.CreateDirectory(paths.ImageDropDir);
        BusyboxImage.WriteDockerArchive(Path.Combine(paths.ImageDropDir, "first.tar"), "first:1");
        using var images = new ImageService(paths, new ImageServiceOptions { DropDirPollInterval = TimeSpan.FromMilliseconds(50) });
        using var stop = new CancellationTokenSource();
        var watching = images.WatchDropDirAsync(stop.Token);
        try
        {
            await Gantry.Testing.Eventually.HoldsAsync(() => Task.FromResult(images.Find("first:1") is not null), "the archive present at start to be imported");
            BusyboxImage.WriteOciArchive(Path.Combine(paths.ImageDropDir, "second.tar"), "second:2");
            await Gantry.Testing.Eventually.HoldsAsync(() => Task.FromResult(images.Find("second:2") is not null), "the new archive to be imported");
        }
        finally
        {
            stop.Cancel();
            await watching;
        }
    }

    private sealed class ImageInfoComparer : IEqualityComparer<ImageInfo?>
    {
        public static readonly ImageInfoComparer Instance = new();

        public bool Equals(ImageInfo? x, ImageInfo? y) =>
            x is not null && y is not null && x.Id == y.Id && x.RepoTags.SequenceEqual(y.RepoTags) && x.LayerDirs.SequenceEqual(y.LayerDirs) && x.Size == y.Size;

        public int GetHashCode(ImageInfo? obj) => obj?.Id.GetHashCode() ?? 0;
    }
}
