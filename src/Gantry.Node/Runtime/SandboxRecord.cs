namespace Gantry.Node.Runtime;

/// <summary>What the engine persists about a sandbox (sandbox.json), so a restarted agent finds it again.</summary>
internal sealed record SandboxRecord
{
    /// <summary>The sandbox id.</summary>
    public required string Id { get; init; }

    /// <summary>The config it was created with.</summary>
    public required PodSandboxConfig Config { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Set by StopPodSandbox: the sandbox is NotReady from then on.</summary>
    public bool Stopped { get; init; }

    /// <summary>Pinned network namespace, null for host network.</summary>
    public string? NetworkNamespacePath { get; init; }

    /// <summary>Pinned IPC namespace, null for host IPC.</summary>
    public string? IpcNamespacePath { get; init; }

    /// <summary>Pinned UTS namespace, null for host network.</summary>
    public string? UtsNamespacePath { get; init; }

    /// <summary>The pod's /dev/shm (a tmpfs of the sandbox, or the host's with hostIPC).</summary>
    public required string ShmPath { get; init; }

    /// <summary>The pod's /etc/resolv.conf, null to keep the image's.</summary>
    public string? ResolvConfPath { get; init; }

    /// <summary>The pod's /etc/hosts, null to keep the image's.</summary>
    public string? HostsPath { get; init; }

    /// <summary>The pod's /etc/hostname.</summary>
    public required string HostnamePath { get; init; }

    /// <summary>The sandbox as the seam reports it; Ready needs its namespaces still pinned (a reboot unpins them).</summary>
    public PodSandbox ToPodSandbox(ISet<string> mountPoints) => new()
    {
        Id = Id,
        Config = Config,
        Ready = !Stopped && new[] { NetworkNamespacePath, IpcNamespacePath, UtsNamespacePath }
            .All(path => path is null || mountPoints.Contains(path)),
        NetworkNamespacePath = NetworkNamespacePath,
        IpcNamespacePath = IpcNamespacePath,
        UtsNamespacePath = UtsNamespacePath,
        CreatedAt = CreatedAt,
    };
}
