using Gantry.Node.Images;
using Gantry.Testing.Images;

namespace Gantry.Node.Tests.Images;

public sealed class StoreTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly ManualTime _time = new();
    private readonly NodePaths _paths;

    public StoreTests() => _paths = new NodePaths(_dir["data"], "node-1");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task GarbageCollect_RemovesUnusedImagesLeastRecentlyUsedFirst()
    {
        using var images = new ImageService(_paths, time: _time);
        var old = await ImportTinyAsync(images, "old:1", "old");
        _time.Advance(TimeSpan.FromMinutes(1));
        var recent = await ImportTinyAsync(images, "recent:1", "recent");
        var inUse = await ImportTinyAsync(images, "in-use:1", "in use");
        _time.Advance(TimeSpan.FromMinutes(1));
        await images.EnsureImageAsync("old:1", "Never", [], CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));

        var freed = await images.GarbageCollectAsync(1, new HashSet<string> { inUse.Id }, CancellationToken.None);

        Assert.Equal(recent.Size, freed);
        Assert.Equal(["in-use:1", "old:1"], images.List().SelectMany(i => i.RepoTags).Select(t => t.Split('/')[^1]).Order());
        Assert.Equal(old.Size, await images.GarbageCollectAsync(long.MaxValue, new HashSet<string> { inUse.Id }, CancellationToken.None));
        Assert.Equal(inUse.Id, Assert.Single(images.List()).Id);
    }

    [Fact]
    public async Task SharedLayers_AreUnpackedOnceAndOutliveOneOfTheirImages()
    {
        using var images = new ImageService(_paths);
        BusyboxImage.WriteOciLayout(_dir["a"], "a.test/busybox:1");
        BusyboxImage.WriteDockerArchive(_dir["b.tar"], "b.test/busybox:1");
        var a = Assert.Single(await images.ImportAsync(_dir["a"], CancellationToken.None));
        var b = Assert.Single(await images.ImportAsync(_dir["b.tar"], CancellationToken.None));

        await images.RemoveAsync(a.RepoTags[0], CancellationToken.None);

        Assert.Equal(a.LayerDirs, b.LayerDirs);
        Assert.Empty(images.List());
        Assert.All(a.LayerDirs, d => Assert.False(Directory.Exists(d)));
    }

    [Fact]
    public async Task Tag_MovesToTheNewImage_TheOldOneStaysUntaggedUntilCollected()
    {
        using var images = new ImageService(_paths);
        var first = await ImportTinyAsync(images, "app:1", "one");

        var second = await ImportTinyAsync(images, "app:1", "two");

        Assert.Equal(second.Id, images.Find("app:1")?.Id);
        var old = images.Find(first.Id)!;
        Assert.Empty(old.RepoTags);
        Assert.Equal(first.RepoDigests, old.RepoDigests);
        Assert.Equal(2, images.List().Count);
    }

    [Fact]
    public async Task AnotherProcessOnTheSameDataDir_SeesImportsAndRemovals()
    {
        using var agent = new ImageService(_paths);
        using var cli = new ImageService(_paths);

        var image = await ImportTinyAsync(cli, "shared:1", "x");
        Assert.Equal(image.Id, agent.Find("shared:1")?.Id);
        await cli.RemoveAsync("shared:1", CancellationToken.None);

        Assert.Null(agent.Find("shared:1"));
    }

    [Fact]
    public async Task WriterKilledMidway_LeavesNoHalfImageVisible()
    {
        using (var images = new ImageService(_paths))
            await ImportTinyAsync(images, "kept:1", "kept");
        var store = _paths.ImageStoreDir;
        // What a kill -9 during a pull leaves: a partial download and a half-unpacked layer in tmp/, and a layer and
        // blob renamed into place whose image never reached the index.
        File.WriteAllText(Path.Combine(store, "tmp", "partial-download"), "half a blob");
        Directory.CreateDirectory(Path.Combine(store, "tmp", "half-layer", "usr"));
        var orphanLayer = Path.Combine(store, "layers", "sha256", new string('a', 64));
        Directory.CreateDirectory(orphanLayer);
        var orphanBlob = Path.Combine(store, "blobs", "sha256", new string('b', 64));
        File.WriteAllText(orphanBlob, "{}");

        using var restarted = new ImageService(_paths);
        Assert.Equal(["docker.io/library/kept:1"], Assert.Single(restarted.List()).RepoTags);
        await ImportTinyAsync(restarted, "next:1", "next");

        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(store, "tmp")));
        Assert.False(Directory.Exists(orphanLayer));
        Assert.False(File.Exists(orphanBlob));
        Assert.Equal(2, restarted.List().Count);
    }

    [Fact]
    public async Task Writers_OnTheSameStore_ExcludeEachOtherAcrossInstances()
    {
        var first = new ImageStore(_paths.ImageStoreDir);
        var second = new ImageStore(_paths.ImageStoreDir);
        var held = await first.LockAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.LockAsync(timeout.Token));
        held.Dispose();
        (await second.LockAsync(CancellationToken.None)).Dispose();
    }

    [Fact]
    public async Task BlobWithTheWrongDigest_IsNeverStored()
    {
        var store = new ImageStore(_paths.ImageStoreDir);
        using var writer = await store.LockAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidDataException>(() => store.WriteBlobAsync("tampered"u8.ToArray(), ImageStore.Digest("original"u8), CancellationToken.None));
        await Assert.ThrowsAsync<InvalidDataException>(() => store.DownloadVerifiedAsync(new MemoryStream("tampered"u8.ToArray()), ImageStore.Digest("original"u8), CancellationToken.None));

        Assert.Empty(Directory.GetFiles(Path.Combine(_paths.ImageStoreDir, "blobs", "sha256")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_paths.ImageStoreDir, "tmp")));
    }

    private async Task<ImageInfo> ImportTinyAsync(ImageService images, string name, string content)
    {
        var dir = _dir[Guid.NewGuid().ToString("N")];
        TinyImage.WriteOciLayout(dir, name, content);
        return Assert.Single(await images.ImportAsync(dir, CancellationToken.None));
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
