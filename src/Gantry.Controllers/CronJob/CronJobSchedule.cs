using System.Globalization;
using Cronos;

namespace Gantry.Controllers.CronJob;

/// <summary>
/// A CronJob's schedule in its time zone: a standard five-field cron line or descriptor (@hourly, @daily ...) read by
/// Cronos, or "@every &lt;duration&gt;" as Kubernetes' cron library allows; an optional CRON_TZ=/TZ= prefix or the
/// spec.timeZone field picks the zone.
/// </summary>
internal sealed class CronJobSchedule
{
    private readonly CronExpression? _expression;
    private readonly TimeSpan _every;
    private readonly TimeZoneInfo _zone;

    private CronJobSchedule(CronExpression? expression, TimeSpan every, TimeZoneInfo zone)
    {
        _expression = expression;
        _every = every;
        _zone = zone;
    }

    /// <summary>The time zone of a spec.timeZone value (null or empty = UTC), or null when unknown.</summary>
    public static TimeZoneInfo? FindZone(string? name)
    {
        if (string.IsNullOrEmpty(name) || name == "UTC") return TimeZoneInfo.Utc;
        if (name == "Local") return TimeZoneInfo.Local;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>Parses a schedule; on failure returns null and the error text.</summary>
    public static CronJobSchedule? Parse(string schedule, TimeZoneInfo zone, out string? error)
    {
        error = null;
        var spec = schedule.Trim();
        if (spec.StartsWith("CRON_TZ=", StringComparison.Ordinal) || spec.StartsWith("TZ=", StringComparison.Ordinal))
        {
            var space = spec.IndexOf(' ');
            var name = space < 0 ? spec[(spec.IndexOf('=') + 1)..] : spec[(spec.IndexOf('=') + 1)..space];
            if (space < 0 || FindZone(name) is not { } prefixed)
            {
                error = $"provided bad location {name}: unknown time zone {name}";
                return null;
            }
            zone = prefixed;
            spec = spec[(space + 1)..].Trim();
        }
        if (spec.StartsWith("@every ", StringComparison.Ordinal))
        {
            if (ParseGoDuration(spec["@every ".Length..].Trim()) is not { } every)
            {
                error = $"failed to parse duration {spec}";
                return null;
            }
            // Like Kubernetes' cron library: at least one second, whole seconds only.
            return new CronJobSchedule(null, TimeSpan.FromSeconds(Math.Max(1, Math.Floor(every.TotalSeconds))), zone);
        }
        try
        {
            return new CronJobSchedule(CronExpression.Parse(spec, CronFormat.Standard), TimeSpan.Zero, zone);
        }
        catch (CronFormatException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <summary>The first scheduled time strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        if (_expression is null)
        {
            var wholeSecond = new DateTimeOffset(after.UtcTicks - after.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            return wholeSecond + _every;
        }
        return _expression.GetNextOccurrence(after, _zone)?.ToUniversalTime();
    }

    /// <summary>A Go duration such as "1h30m", "90s" or "1.5h"; null when malformed.</summary>
    private static TimeSpan? ParseGoDuration(string text)
    {
        if (text.Length == 0) return null;
        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (!double.TryParse(text[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return null;
            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            var unit = text[unitStart..i] switch
            {
                "h" => TimeSpan.FromHours(1),
                "m" => TimeSpan.FromMinutes(1),
                "s" => TimeSpan.FromSeconds(1),
                "ms" => TimeSpan.FromMilliseconds(1),
                "us" or "µs" => TimeSpan.FromMicroseconds(1),
                "ns" => TimeSpan.FromTicks(0),
                _ => (TimeSpan?)null,
            };
            if (unit is null) return null;
            total += unit.Value * value;
        }
        return total;
    }
}
