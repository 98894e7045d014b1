namespace Gantry.Node.Runtime;

/// <summary>A container as the runtime reports it.</summary>
public sealed record ContainerStatus
{
    /// <summary>The runtime's id.</summary>
    public required string Id { get; init; }

    /// <summary>The sandbox it belongs to.</summary>
    public required string SandboxId { get; init; }

    /// <summary>The container's name in the pod.</summary>
    public required string Name { get; init; }

    /// <summary>Its restart count when created.</summary>
    public int Attempt { get; init; }

    /// <summary>Created, Running or Exited.</summary>
    public required ContainerState State { get; init; }

    /// <summary>The image reference it was created from, and the image id (sha256:...).</summary>
    public required string Image { get; init; }

    /// <summary>The image's id (config digest, sha256:...).</summary>
    public required string ImageId { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its process started (Running and Exited).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When its process exited.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Exit code once exited (128 + signal when killed by a signal).</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why it exited as Kubernetes words it: Completed, Error, OOMKilled, ContainerCannotRun.</summary>
    public string? Reason { get; init; }

    /// <summary>A message for the reason (e.g. runc's error).</summary>
    public string? Message { get; init; }

    /// <summary>The CRI log file of this instance.</summary>
    public required string LogPath { get; init; }

    /// <summary>Labels given at creation.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Annotations given at creation.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}
