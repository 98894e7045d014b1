namespace Gantry.Node.Runtime;

/// <summary>What the engine persists about a container (container.json in its directory); the rest is runc's and conmon's.</summary>
internal sealed record ContainerRecord
{
    /// <summary>The container id (also runc's and conmon's).</summary>
    public required string Id { get; init; }

    /// <summary>Its sandbox.</summary>
    public required string SandboxId { get; init; }

    /// <summary>Its name in the pod.</summary>
    public required string Name { get; init; }

    /// <summary>Its restart count.</summary>
    public int Attempt { get; init; }

    /// <summary>The image reference.</summary>
    public required string Image { get; init; }

    /// <summary>The image id.</summary>
    public required string ImageId { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Its CRI log file.</summary>
    public required string LogPath { get; init; }

    /// <summary>The signal StopContainer sends first (runc kill's name, e.g. TERM).</summary>
    public required string StopSignal { get; init; }

    /// <summary>It has a terminal (attach reads one stream).</summary>
    public bool Tty { get; init; }

    /// <summary>The container's cgroup (runc's cgroupsPath).</summary>
    public required string CgroupsPath { get; init; }

    /// <summary>Labels given at creation.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Annotations given at creation.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}
