namespace Gantry.Node.Images;

/// <summary>An image read from an archive or a registry, ready to be committed to the store.</summary>
/// <param name="ManifestDigest">What its names resolve to (the index's digest when it came through one).</param>
/// <param name="Blobs">Index and manifest documents to keep (verified by the store on write).</param>
/// <param name="Config">The config file; its digest is the image id.</param>
/// <param name="Layers">Layers bottom first, fetched only when not unpacked yet.</param>
/// <param name="Names">Names it is known by (tags, or digests when pulled by digest).</param>
internal sealed record PendingImage(string ManifestDigest, IReadOnlyList<byte[]> Blobs, byte[] Config, IReadOnlyList<PendingLayer> Layers, IReadOnlyList<ImageReference> Names);

/// <summary>A layer to unpack: its expected diff id and how to get its (possibly compressed) tar as a local file.</summary>
/// <param name="DiffId">From the config's rootfs.diff_ids; checked while unpacking.</param>
/// <param name="FetchAsync">Returns the path of the layer tar, downloading it if needed.</param>
/// <param name="Fetched">True when the fetched file is a temporary download to delete after unpacking.</param>
internal sealed record PendingLayer(string DiffId, Func<CancellationToken, Task<string>> FetchAsync, bool Fetched);
