using System.Globalization;
using System.Text;

namespace Gantry.Node.Streaming.Logs;

/// <summary>
/// One line of a CRI log file: <c>&lt;RFC3339Nano time&gt; &lt;stdout|stderr&gt; &lt;P|F&gt; &lt;text&gt;</c>; P marks a
/// partial line whose text continues in the next line of the same stream.
/// </summary>
internal readonly record struct CriLogLine(DateTimeOffset Time, int Nanoseconds, bool Stderr, bool Partial, ReadOnlyMemory<byte> Content)
{
    /// <summary>Parses one line (without its newline); false for lines that are not CRI lines.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> line, out CriLogLine parsed)
    {
        parsed = default;
        var span = line.Span;
        var firstSpace = span.IndexOf((byte)' ');
        if (firstSpace <= 0 || !TryParseTime(span[..firstSpace], out var time, out var nanos)) return false;
        var rest = span[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0) return false;
        var stream = rest[..secondSpace];
        bool stderr;
        if (stream.SequenceEqual("stdout"u8)) stderr = false;
        else if (stream.SequenceEqual("stderr"u8)) stderr = true;
        else return false;
        var afterStream = firstSpace + 1 + secondSpace + 1;
        var tagged = span[afterStream..];
        var thirdSpace = tagged.IndexOf((byte)' ');
        var tag = thirdSpace < 0 ? tagged : tagged[..thirdSpace];
        var partial = tag.SequenceEqual("P"u8);
        var contentStart = thirdSpace < 0 ? line.Length : afterStream + thirdSpace + 1;
        parsed = new CriLogLine(time, nanos, stderr, partial, line[contentStart..]);
        return true;
    }

    /// <summary>The time as the kubelet prints it with timestamps=true: UTC, nine fractional digits.</summary>
    public string FormatTime() =>
        Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + Nanoseconds.ToString("D9", CultureInfo.InvariantCulture) + "Z";

    /// <summary>RFC 3339 with up to nine fractional digits, keeping the nanoseconds DateTimeOffset cannot hold.</summary>
    internal static bool TryParseTime(ReadOnlySpan<byte> text, out DateTimeOffset time, out int nanoseconds)
    {
        time = default;
        nanoseconds = 0;
        var value = Encoding.ASCII.GetString(text);
        if (value.Length < 20) return false;
        var zoneAt = value.IndexOfAny(['Z', 'z', '+', '-'], 19);
        if (zoneAt < 0) return false;
        var fraction = "";
        var main = value[..zoneAt];
        var dot = main.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            fraction = main[(dot + 1)..];
            main = main[..dot];
            if (fraction.Length is 0 or > 9 || !fraction.All(char.IsAsciiDigit)) return false;
        }
        var zone = value[zoneAt..];
        var offset = TimeSpan.Zero;
        if (zone is not ("Z" or "z"))
        {
            if (!TimeSpan.TryParseExact(zone[1..], "hh\\:mm", CultureInfo.InvariantCulture, out offset)) return false;
            if (zone[0] == '-') offset = -offset;
        }
        if (!DateTime.TryParseExact(main, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return false;
        nanoseconds = fraction.Length == 0 ? 0 : int.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
        time = new DateTimeOffset(local, offset).AddTicks(nanoseconds / 100);
        return true;
    }
}
