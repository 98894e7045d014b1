namespace Gantry.Node.Runtime;

/// <summary>A running exec or attach session whose streams the streaming server pumps to the client.</summary>
public interface IStreamingProcess : IAsyncDisposable
{
    /// <summary>Writable stdin, null when not requested.</summary>
    Stream? Stdin { get; }

    /// <summary>Readable stdout (with a terminal: the terminal's output), null when not requested.</summary>
    Stream? Stdout { get; }

    /// <summary>Readable stderr, null when not requested or with a terminal.</summary>
    Stream? Stderr { get; }

    /// <summary>Completes with the exit code (exec) or when the attach ends (attach: the container's exit code if it exited).</summary>
    Task<int> Completion { get; }

    /// <summary>Resizes the terminal (no-op without one).</summary>
    void Resize(ushort columns, ushort rows);
}
