using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Gantry.Cli;

/// <summary>Durations written the way Kubernetes' flags take them (Go's time.ParseDuration: "40s", "1m30s", "500ms").</summary>
internal static partial class GoDuration
{
    /// <summary>Parses a Go duration; false when the text is not one or is negative.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        if (text == "0") return true;
        var match = Pattern().Match(text);
        if (!match.Success) return false;
        var ticks = 0d;
        for (var i = 0; i < match.Groups["number"].Captures.Count; i++)
        {
            var number = double.Parse(match.Groups["number"].Captures[i].Value, CultureInfo.InvariantCulture);
            ticks += number * match.Groups["unit"].Captures[i].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }
        if (ticks > TimeSpan.MaxValue.Ticks) return false;
        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>A flag taking a Go duration, with its default.</summary>
    public static Option<TimeSpan> Option(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
            if (TryParse(text, out var value)) return value;
            result.AddError($"invalid duration \"{text}\" for {name} (e.g. 10s, 1m30s, 500ms)");
            return default;
        },
    };

    [GeneratedRegex(@"^\+?(?:(?<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?<unit>ns|us|µs|ms|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
