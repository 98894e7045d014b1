namespace Gantry.Node.Images;

/// <summary>The parts of an OCI image config the runtime uses.</summary>
public sealed record ImageConfig
{
    /// <summary>USER (name, uid, or uid:gid).</summary>
    public string? User { get; init; }

    /// <summary>ENV as NAME=value.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>ENTRYPOINT.</summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    /// <summary>CMD.</summary>
    public IReadOnlyList<string> Cmd { get; init; } = [];

    /// <summary>WORKDIR.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>STOPSIGNAL.</summary>
    public string? StopSignal { get; init; }
}
