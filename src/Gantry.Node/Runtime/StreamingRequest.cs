namespace Gantry.Node.Runtime;

/// <summary>An interactive exec or attach: which streams the client wants.</summary>
public sealed record StreamingRequest
{
    /// <summary>The command (exec only; ignored by attach).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>The client sends stdin.</summary>
    public bool Stdin { get; init; }

    /// <summary>The client wants stdout.</summary>
    public bool Stdout { get; init; } = true;

    /// <summary>The client wants stderr (ignored with a terminal: it is merged into stdout).</summary>
    public bool Stderr { get; init; } = true;

    /// <summary>Allocate (exec) or use (attach) a terminal.</summary>
    public bool Tty { get; init; }
}
