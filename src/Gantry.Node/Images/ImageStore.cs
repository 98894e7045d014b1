using System.Security.Cryptography;
using System.Text.Json;

namespace Gantry.Node.Images;

/// <summary>
/// The on-disk store: <c>blobs/sha256/HEX</c> (manifests, indexes, configs; verified on write), <c>layers/sha256/HEX</c>
/// (one unpacked directory per layer diff id, shared by every image), <c>images.json</c> (the index) and <c>tmp/</c>.
/// Everything is written under tmp/ and renamed into place, the index last, so a process killed at any point leaves
/// either the old or the new image visible, never half of one. Writers in any process hold <c>lock</c> (flock).
/// </summary>
internal sealed class ImageStore
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Dictionary<string, DateTimeOffset> _lastUsed = [];
    private readonly Lock _gate = new();
    private StoreIndexFile _index = new();
    private (DateTime Time, long Length) _indexStamp;
    private bool _orphansRemoved;

    public ImageStore(string root)
    {
        Root = root;
        Directory.CreateDirectory(BlobsDir);
        Directory.CreateDirectory(LayersDir);
        Directory.CreateDirectory(TempDir);
    }

    public string Root { get; }

    private string BlobsDir => Path.Combine(Root, "blobs", "sha256");

    private string LayersDir => Path.Combine(Root, "layers", "sha256");

    private string TempDir => Path.Combine(Root, "tmp");

    private string IndexFile => Path.Combine(Root, "images.json");

    /// <summary>The directory a layer is unpacked into.</summary>
    public string LayerDir(string diffId) => Path.Combine(LayersDir, Hex(diffId));

    /// <summary>The path of a stored blob.</summary>
    public string BlobPath(string digest) => Path.Combine(BlobsDir, Hex(digest));

    /// <summary>A fresh path under tmp/ (cleared by the next writer if this process dies).</summary>
    public string NewTempPath() => Path.Combine(TempDir, Guid.NewGuid().ToString("N"));

    /// <summary>The images in the index (re-read when another process changed it), with in-memory last-use times.</summary>
    public IReadOnlyList<StoredImage> Images
    {
        get
        {
            lock (_gate)
            {
                Reload();
                return _index.Images.Select(i => _lastUsed.TryGetValue(i.Id, out var used) && used > i.LastUsed ? i with { LastUsed = used } : i).ToList();
            }
        }
    }

    /// <summary>Records that a container used the image (for least-recently-used GC).</summary>
    public void Touch(string id, DateTimeOffset now)
    {
        lock (_gate) _lastUsed[id] = now;
    }

    /// <summary>Exclusive write access across threads and processes; clears what a killed writer left in tmp/.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            FileStream? file = null;
            while (file is null)
            {
                try
                {
                    // FileShare.None takes an exclusive flock on Linux.
                    file = new FileStream(Path.Combine(Root, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
            foreach (var entry in Directory.EnumerateFileSystemEntries(TempDir)) DeleteEntry(entry);
            lock (_gate) Reload();
            if (!_orphansRemoved)
            {
                RemoveUnreferenced();
                _orphansRemoved = true;
            }
            return new Releaser(this, file);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    /// <summary>Writes a blob after checking its digest (when given); returns the digest.</summary>
    public async Task<string> WriteBlobAsync(byte[] data, string? expectedDigest, CancellationToken cancellationToken)
    {
        var digest = Digest(data);
        if (expectedDigest is not null && digest != expectedDigest) throw new InvalidDataException($"content digest {digest} does not match the expected {expectedDigest}");
        var path = BlobPath(digest);
        if (File.Exists(path)) return digest;
        var temp = NewTempPath();
        await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            await file.WriteAsync(data, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        return digest;
    }

    /// <summary>Copies <paramref name="source"/> to a temp file whose sha256 must be <paramref name="expectedDigest"/>; returns its path.</summary>
    public async Task<string> DownloadVerifiedAsync(Stream source, string expectedDigest, CancellationToken cancellationToken)
    {
        var temp = NewTempPath();
        using var hashing = new HashingStream(source);
        await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            await hashing.CopyToAsync(file, cancellationToken);
        var digest = hashing.Digest();
        if (digest != expectedDigest)
        {
            File.Delete(temp);
            throw new InvalidDataException($"blob digest {digest} does not match the expected {expectedDigest}");
        }
        return temp;
    }

    /// <summary>Stores blobs, unpacks missing layers and then, atomically, adds the image and its names to the index.</summary>
    public async Task<StoredImage> CommitAsync(PendingImage image, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var blobs = new List<string>();
        foreach (var blob in image.Blobs) blobs.Add(await WriteBlobAsync(blob, null, cancellationToken));
        var id = await WriteBlobAsync(image.Config, null, cancellationToken);
        blobs.Add(id);
        var known = _index.Images.SelectMany(i => i.Layers).DistinctBy(l => l.DiffId).ToDictionary(l => l.DiffId, l => l.Size);
        var layers = new List<StoredLayer>();
        foreach (var layer in image.Layers)
        {
            if (!Directory.Exists(LayerDir(layer.DiffId)) || !known.TryGetValue(layer.DiffId, out var size))
            {
                size = await UnpackAsync(layer, cancellationToken);
                known[layer.DiffId] = size;
            }
            layers.Add(new StoredLayer(layer.DiffId, size));
        }
        var tags = image.Names.Where(n => n.Tag is not null).Select(n => (n with { Digest = null }).ToString()).ToList();
        var digests = image.Names.Select(n => n.Repository + "@" + image.ManifestDigest).ToList();
        var config = ConfigDocument.Parse(image.Config).ToImageConfig();
        var images = new List<StoredImage>();
        StoredImage? previous = null;
        foreach (var existing in _index.Images)
        {
            if (existing.Id == id) previous = existing;
            // A tag names one image: it moves to the new one, the old one stays (untagged) until removed or collected.
            else images.Add(existing with { RepoTags = existing.RepoTags.Except(tags).ToList() });
        }
        var stored = new StoredImage
        {
            Id = id,
            ManifestDigest = image.ManifestDigest,
            RepoTags = (previous?.RepoTags ?? []).Union(tags).ToList(),
            RepoDigests = (previous?.RepoDigests ?? []).Union(digests).ToList(),
            Layers = layers,
            Blobs = (previous?.Blobs ?? []).Union(blobs).ToList(),
            Config = config,
            LastUsed = now,
        };
        images.Add(stored);
        await WriteIndexAsync(new StoreIndexFile { Images = images }, cancellationToken);
        return stored;
    }

    /// <summary>Drops an image from the index, then the layers and blobs no remaining image uses; returns bytes freed.</summary>
    public async Task<long> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var before = _index.Images.SelectMany(i => i.Layers).DistinctBy(l => l.DiffId).ToList();
        await WriteIndexAsync(new StoreIndexFile { Images = _index.Images.Where(i => i.Id != id).ToList() }, cancellationToken);
        var kept = _index.Images.SelectMany(i => i.Layers).Select(l => l.DiffId).ToHashSet();
        RemoveUnreferenced();
        return before.Where(l => !kept.Contains(l.DiffId)).Sum(l => l.Size);
    }

    private async Task<long> UnpackAsync(PendingLayer layer, CancellationToken cancellationToken)
    {
        var source = await layer.FetchAsync(cancellationToken);
        var temp = NewTempPath();
        try
        {
            var result = await LayerUnpacker.UnpackAsync(source, temp, cancellationToken);
            if (result.DiffId != layer.DiffId) throw new InvalidDataException($"layer content {result.DiffId} does not match the config's diff id {layer.DiffId}");
            var target = LayerDir(layer.DiffId);
            if (Directory.Exists(target)) DeleteEntry(target);
            Directory.Move(temp, target);
            return result.Size;
        }
        finally
        {
            if (layer.Fetched) File.Delete(source);
            if (Directory.Exists(temp)) DeleteEntry(temp);
        }
    }

    private async Task WriteIndexAsync(StoreIndexFile index, CancellationToken cancellationToken)
    {
        List<StoredImage> images;
        lock (_gate) images = index.Images.Select(i => _lastUsed.TryGetValue(i.Id, out var used) && used > i.LastUsed ? i with { LastUsed = used } : i).ToList();
        var temp = NewTempPath();
        await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            await JsonSerializer.SerializeAsync(file, new StoreIndexFile { Images = images }, ImageStoreJson.Default.StoreIndexFile, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, IndexFile, overwrite: true);
        lock (_gate) Reload();
    }

    /// <summary>Removes layer directories and blobs no indexed image references (left by a writer killed before its index write).</summary>
    private void RemoveUnreferenced()
    {
        var layers = _index.Images.SelectMany(i => i.Layers).Select(l => Hex(l.DiffId)).ToHashSet();
        var blobs = _index.Images.SelectMany(i => i.Blobs).Select(Hex).ToHashSet();
        foreach (var dir in Directory.EnumerateDirectories(LayersDir).Where(d => !layers.Contains(Path.GetFileName(d))))
        {
            // Renamed away first, so a kill during the recursive delete never leaves a half layer under its real name.
            var temp = NewTempPath();
            Directory.Move(dir, temp);
            DeleteEntry(temp);
        }
        foreach (var file in Directory.EnumerateFiles(BlobsDir).Where(f => !blobs.Contains(Path.GetFileName(f)))) File.Delete(file);
    }

    private void Reload()
    {
        var info = new FileInfo(IndexFile);
        var stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
        // File times are as coarse as the kernel's clock tick: a file written in the last second may have changed again
        // with the same stamp, so it is read again (the real clock on purpose: it is compared with file system times).
        if (stamp == _indexStamp && DateTime.UtcNow - stamp.LastWriteTimeUtc > TimeSpan.FromSeconds(1)) return;
        _index = info.Exists ? JsonSerializer.Deserialize(File.ReadAllBytes(IndexFile), ImageStoreJson.Default.StoreIndexFile) ?? new() : new();
        _indexStamp = stamp;
    }

    private static void DeleteEntry(string path)
    {
        if (Directory.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint)) Directory.Delete(path, recursive: true);
        else File.Delete(path);
    }

    /// <summary>sha256:HEX of <paramref name="data"/>.</summary>
    public static string Digest(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private static string Hex(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71 && digest.AsSpan(7).ContainsAnyExcept("0123456789abcdef") is false
            ? digest[7..]
            : throw new InvalidDataException($"unsupported digest \"{digest}\" (only sha256 is supported)");

    private sealed class Releaser(ImageStore store, FileStream file) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            store._writer.Release();
        }
    }
}
