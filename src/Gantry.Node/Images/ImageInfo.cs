namespace Gantry.Node.Images;

/// <summary>A stored image ready to run.</summary>
public sealed record ImageInfo
{
    /// <summary>The image id: the digest of its config (sha256:...).</summary>
    public required string Id { get; init; }

    /// <summary>Names it is known by (docker.io/library/busybox:latest, normalized as the kubelet reports them).</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary>name@sha256:manifest-digest references (the kubelet's imageID).</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    /// <summary>Unpacked layer directories, bottom layer first (overlayfs lowerdir takes them reversed).</summary>
    public required IReadOnlyList<string> LayerDirs { get; init; }

    /// <summary>Total unpacked size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The image's runtime config.</summary>
    public ImageConfig Config { get; init; } = new();
}
