namespace Gantry.Node.Streaming.Logs;

/// <summary>The kubelet's log query: which part of a container's log to send and how.</summary>
internal sealed record LogOptions
{
    /// <summary>Only the last N lines (tailLines); null = all.</summary>
    public long? TailLines { get; init; }

    /// <summary>Only lines at or after this time (sinceSeconds / sinceTime).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Prefix each line with its RFC3339 timestamp (nanoseconds, fixed width).</summary>
    public bool Timestamps { get; init; }

    /// <summary>Stop after this many bytes; null = no limit.</summary>
    public long? LimitBytes { get; init; }

    /// <summary>Keep sending new lines until the container exits.</summary>
    public bool Follow { get; init; }
}
