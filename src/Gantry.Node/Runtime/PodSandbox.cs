namespace Gantry.Node.Runtime;

/// <summary>A pod sandbox as the runtime reports it.</summary>
public sealed record PodSandbox
{
    /// <summary>The runtime's id of the sandbox.</summary>
    public required string Id { get; init; }

    /// <summary>The config it was created with (persisted, so it survives agent restarts).</summary>
    public required PodSandboxConfig Config { get; init; }

    /// <summary>Ready while its namespaces exist; NotReady once stopped.</summary>
    public required bool Ready { get; init; }

    /// <summary>Path of the pinned network namespace (bind-mounted nsfs file), null for host network.</summary>
    public string? NetworkNamespacePath { get; init; }

    /// <summary>Path of the pinned IPC namespace, null for host IPC.</summary>
    public string? IpcNamespacePath { get; init; }

    /// <summary>Path of the pinned UTS namespace, null for host network.</summary>
    public string? UtsNamespacePath { get; init; }

    /// <summary>When the sandbox was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
