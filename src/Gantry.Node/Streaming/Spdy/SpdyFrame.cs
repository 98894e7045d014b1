namespace Gantry.Node.Streaming.Spdy;

/// <summary>One SPDY/3 frame, decoded. Which members matter depends on <see cref="Type"/>.</summary>
internal sealed record SpdyFrame
{
    /// <summary>FIN on SYN_STREAM, SYN_REPLY, HEADERS and DATA.</summary>
    public const byte FlagFin = 0x01;

    /// <summary>UNIDIRECTIONAL on SYN_STREAM.</summary>
    public const byte FlagUnidirectional = 0x02;

    public required SpdyFrameType Type { get; init; }

    public byte Flags { get; init; }

    /// <summary>The stream (SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE, DATA) or GOAWAY's last good stream.</summary>
    public uint StreamId { get; init; }

    /// <summary>SYN_STREAM's associated stream.</summary>
    public uint AssociatedStreamId { get; init; }

    /// <summary>SYN_STREAM's priority (0 highest .. 7).</summary>
    public byte Priority { get; init; }

    /// <summary>Header pairs (SYN_STREAM, SYN_REPLY, HEADERS); several values of one name are joined with NUL.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>DATA payload.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>RST_STREAM or GOAWAY status code.</summary>
    public uint Status { get; init; }

    /// <summary>PING id.</summary>
    public uint PingId { get; init; }

    /// <summary>WINDOW_UPDATE delta.</summary>
    public uint DeltaWindowSize { get; init; }

    /// <summary>SETTINGS entries (flags, id, value).</summary>
    public IReadOnlyList<(byte Flags, uint Id, uint Value)> Settings { get; init; } = [];

    public bool IsFin => (Flags & FlagFin) != 0;

    /// <summary>The first value of a header, case-insensitively (SPDY names are lower case, Go's are canonical).</summary>
    public string? Header(string name) => FirstValue(Headers, name);

    /// <summary>The first value of <paramref name="name"/> in a header block (values of one name are NUL-separated).</summary>
    public static string? FirstValue(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value.Split('\0')[0];
        }
        return null;
    }
}
