using System.Globalization;

namespace Gantry.Node.Pods;

/// <summary>Durations written as Go's time.Duration.String does ("10s", "1m20s", "5m0s", "200ms"), as kubelet messages show them.</summary>
internal static class GoDuration
{
    /// <summary>Go's text of <paramref name="duration"/>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero) return "0s";
        if (duration < TimeSpan.FromSeconds(1)) return ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var text = "";
        var hours = (long)duration.TotalHours;
        if (hours > 0) text += hours.ToString(CultureInfo.InvariantCulture) + "h";
        if (hours > 0 || duration.Minutes > 0) text += duration.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        var seconds = duration.Seconds + duration.Milliseconds / 1000.0;
        return text + seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}
