namespace Gantry.Node.Images;

/// <summary>One image in the store's index (images.json): its names, blobs and unpacked layers.</summary>
internal sealed record StoredImage
{
    /// <summary>The config digest (image id).</summary>
    public required string Id { get; init; }

    /// <summary>The digest its name resolved to (an index's when pulled through a manifest list).</summary>
    public required string ManifestDigest { get; init; }

    public List<string> RepoTags { get; init; } = [];

    public List<string> RepoDigests { get; init; } = [];

    /// <summary>Layers bottom first, each unpacked in the store's layers directory under its diff id.</summary>
    public List<StoredLayer> Layers { get; init; } = [];

    /// <summary>Manifest, index and config blobs this image keeps alive.</summary>
    public List<string> Blobs { get; init; } = [];

    public ImageConfig Config { get; init; } = new();

    public DateTimeOffset LastUsed { get; init; }

    public long Size => Layers.Sum(l => l.Size);
}

/// <summary>An unpacked layer: its diff id and the bytes of its files.</summary>
internal sealed record StoredLayer(string DiffId, long Size);

/// <summary>The index file's shape.</summary>
internal sealed record StoreIndexFile
{
    public List<StoredImage> Images { get; init; } = [];
}
