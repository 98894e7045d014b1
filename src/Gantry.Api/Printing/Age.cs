using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>Human durations as kubectl prints them (k8s.io/apimachinery/pkg/util/duration.HumanDuration).</summary>
public static class Age
{
    /// <summary>The age of an object from its creationTimestamp, or "&lt;unknown&gt;".</summary>
    public static string Since(JsonObject obj, DateTimeOffset now) => Since(JsonRead.Time(obj, "metadata.creationTimestamp"), now);

    /// <summary>The time elapsed since a timestamp, or "&lt;unknown&gt;" when there is none (translateTimestampSince).</summary>
    public static string Since(DateTimeOffset? timestamp, DateTimeOffset now) =>
        timestamp is { } t ? Human(now - t) : "<unknown>";

    /// <summary>Formats a duration like HumanDuration: 5s, 3m20s, 2d3h, 4y12d.</summary>
    public static string Human(TimeSpan d)
    {
        // Whole seconds, truncated toward zero as Go's int(d.Seconds()): up to a second in the future reads "0s".
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 120) return $"{seconds}s";
        var minutes = seconds / 60;
        if (minutes < 10) return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        if (minutes < 180) return $"{minutes}m";
        var hours = minutes / 60;
        if (hours < 8) return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        if (hours < 48) return $"{hours}h";
        if (hours < 24 * 8) return hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h";
        if (hours < 24 * 365 * 2) return $"{hours / 24}d";
        if (hours < 24 * 365 * 8) return (hours / 24) % 365 == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{(hours / 24) % 365}d";
        return $"{hours / 24 / 365}y";
    }
}
