namespace Gantry.Node.Runtime;

/// <summary>A container's effective security context (pod-level values already merged in).</summary>
public sealed record SecurityOptions
{
    /// <summary>runAsUser; null keeps the image's user (or 0).</summary>
    public long? RunAsUser { get; init; }

    /// <summary>runAsGroup; null keeps the image's group (or 0).</summary>
    public long? RunAsGroup { get; init; }

    /// <summary>The image's USER when runAsUser is not set (name or uid[:gid]), resolved against the rootfs' /etc/passwd.</summary>
    public string? ImageUser { get; init; }

    /// <summary>fsGroup and supplementalGroups.</summary>
    public IReadOnlyList<long> SupplementalGroups { get; init; } = [];

    /// <summary>capabilities.add (names without the CAP_ prefix, or ALL).</summary>
    public IReadOnlyList<string> AddCapabilities { get; init; } = [];

    /// <summary>capabilities.drop (names without the CAP_ prefix, or ALL).</summary>
    public IReadOnlyList<string> DropCapabilities { get; init; } = [];

    /// <summary>privileged: all capabilities and devices, no masked paths, writable /sys.</summary>
    public bool Privileged { get; init; }

    /// <summary>readOnlyRootFilesystem.</summary>
    public bool ReadOnlyRootFilesystem { get; init; }

    /// <summary>allowPrivilegeEscalation (defaults to true, as Kubernetes): false sets no_new_privs.</summary>
    public bool AllowPrivilegeEscalation { get; init; } = true;

    /// <summary>seccompProfile RuntimeDefault (the default is Unconfined, as the kubelet's).</summary>
    public bool SeccompRuntimeDefault { get; init; }

    /// <summary>procMount Unmasked keeps /proc unmasked.</summary>
    public bool UnmaskedProc { get; init; }
}
