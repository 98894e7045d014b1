using System.Globalization;

namespace Gantry.Api.Validation;

/// <summary>
/// Checks a standard five-field cron schedule the way Kubernetes' parser (robfig/cron ParseStandard) does, returning
/// its error text or null when the schedule parses.
/// </summary>
public static class CronSchedule
{
    private static readonly string[] Descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>The parse error of a schedule, or null when it is valid.</summary>
    public static string? Error(string schedule)
    {
        if (schedule.Length == 0) return "empty spec string";
        var spec = schedule;
        if (spec.StartsWith("TZ=", StringComparison.Ordinal) || spec.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = spec.IndexOf(' ');
            if (space < 0) return "provided bad location " + spec[(spec.IndexOf('=') + 1)..] + ": unknown time zone";
            spec = spec[(space + 1)..].Trim();
        }
        if (spec.StartsWith('@'))
        {
            if (Descriptors.Contains(spec)) return null;
            if (spec.StartsWith("@every ", StringComparison.Ordinal)) return null;
            return "unrecognized descriptor: " + spec;
        }
        var fields = spec.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5) return $"expected exactly 5 fields, found {fields.Length}: [{string.Join(' ', fields)}]";
        (int Min, int Max, string[]? Names)[] bounds = [(0, 59, null), (0, 23, null), (1, 31, null), (1, 12, Months), (0, 6, Days)];
        for (var i = 0; i < 5; i++)
            foreach (var expression in fields[i].Split(','))
                if (RangeError(expression, bounds[i].Min, bounds[i].Max, bounds[i].Names) is { } error) return error;
        return null;
    }

    private static string? RangeError(string expression, int min, int max, string[]? names)
    {
        var rangeAndStep = expression.Split('/');
        var lowAndHigh = rangeAndStep[0].Split('-');
        int start, end;
        if (lowAndHigh[0] is "*" or "?")
        {
            start = min;
            end = max;
        }
        else
        {
            if (ParseValue(lowAndHigh[0], names, out start) is { } startError) return startError;
            switch (lowAndHigh.Length)
            {
                case 1:
                    end = start;
                    break;
                case 2:
                    if (ParseValue(lowAndHigh[1], names, out end) is { } endError) return endError;
                    break;
                default:
                    return "too many hyphens: " + expression;
            }
        }
        var step = 1;
        switch (rangeAndStep.Length)
        {
            case 1:
                break;
            case 2:
                if (ParseNumber(rangeAndStep[1], out step) is { } stepError) return stepError;
                if (lowAndHigh.Length == 1 && lowAndHigh[0] is not ("*" or "?")) end = max;
                break;
            default:
                return "too many slashes: " + expression;
        }
        if (start < min) return $"beginning of range ({start}) below minimum ({min}): {expression}";
        if (end > max) return $"end of range ({end}) above maximum ({max}): {expression}";
        if (start > end) return $"beginning of range ({start}) beyond end of range ({end}): {expression}";
        return step == 0 ? "step of range should be a positive number: " + expression : null;
    }

    private static string? ParseValue(string text, string[]? names, out int value)
    {
        if (names is not null && Array.IndexOf(names, text.ToLowerInvariant()) is var index and >= 0)
        {
            value = names == Months ? index + 1 : index;
            return null;
        }
        return ParseNumber(text, out value);
    }

    private static string? ParseNumber(string text, out int value)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            return $"failed to parse int from {text}: strconv.Atoi: parsing {GoValue.Quote(text)}: invalid syntax";
        return value < 0 ? $"negative number ({value}) not allowed: {text}" : null;
    }
}
