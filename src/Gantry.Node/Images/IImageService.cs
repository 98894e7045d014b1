namespace Gantry.Node.Images;

/// <summary>
/// The node's images: a content-addressed store in the data dir, filled by pulls from registries and by imports of
/// docker/OCI archives, with layers unpacked once and shared by every container through overlayfs.
/// </summary>
public interface IImageService
{
    /// <summary>
    /// The image for a container, pulled first when <paramref name="pullPolicy"/> (Always, IfNotPresent, Never) asks for
    /// it; throws <see cref="ImagePullException"/> with the reason the kubelet would report.
    /// </summary>
    Task<ImageInfo> EnsureImageAsync(string reference, string pullPolicy, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken);

    /// <summary>The stored image a reference (name:tag, name@digest or image id) names, or null.</summary>
    ImageInfo? Find(string reference);

    /// <summary>Every stored image.</summary>
    IReadOnlyList<ImageInfo> List();

    /// <summary>Imports a `docker save` archive, an OCI archive or an OCI layout directory; returns the images in it.</summary>
    Task<IReadOnlyList<ImageInfo>> ImportAsync(string path, CancellationToken cancellationToken);

    /// <summary>Removes an image by reference or id (its unpacked layers go when no other image uses them).</summary>
    Task RemoveAsync(string reference, CancellationToken cancellationToken);

    /// <summary>Removes unused images, least recently used first, until <paramref name="bytesToFree"/> are freed; returns bytes freed.</summary>
    Task<long> GarbageCollectAsync(long bytesToFree, IReadOnlySet<string> imageIdsInUse, CancellationToken cancellationToken);
}
