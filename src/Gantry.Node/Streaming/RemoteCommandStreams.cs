namespace Gantry.Node.Streaming;

/// <summary>The client's side of an exec or attach, whatever the protocol: where stdin comes from, where output goes, and how the end is reported.</summary>
internal sealed class RemoteCommandStreams
{
    /// <summary>What the client types (readable; ends when the client closes stdin), or null.</summary>
    public Stream? Stdin { get; init; }

    /// <summary>Where the command's stdout goes, or null.</summary>
    public Stream? Stdout { get; init; }

    /// <summary>Where the command's stderr goes, or null.</summary>
    public Stream? Stderr { get; init; }

    /// <summary>Sends the final status bytes (the error channel or stream).</summary>
    public required Func<byte[], CancellationToken, Task> WriteStatusAsync { get; init; }

    /// <summary>Ends the output streams (SPDY FINs); the protocol closes the connection after.</summary>
    public Func<Task>? CloseOutputsAsync { get; init; }
}
