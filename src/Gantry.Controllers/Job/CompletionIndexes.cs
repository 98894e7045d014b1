using System.Globalization;
using System.Text;

namespace Gantry.Controllers.Job;

/// <summary>status.completedIndexes as Kubernetes writes it: sorted, with runs compressed ("0-2,5,7-8").</summary>
internal static class CompletionIndexes
{
    /// <summary>The indexes below <paramref name="completions"/> in a completedIndexes string (malformed parts ignored).</summary>
    public static SortedSet<int> Parse(string? text, int completions)
    {
        var result = new SortedSet<int>();
        if (string.IsNullOrEmpty(text)) return result;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            var first = dash < 0 ? part : part[..dash];
            var last = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to)) continue;
            for (var i = from; i <= to && i < completions; i++) result.Add(i);
        }
        return result;
    }

    /// <summary>The compressed text of a set of indexes.</summary>
    public static string Format(IEnumerable<int> indexes)
    {
        var builder = new StringBuilder();
        int? start = null, previous = null;
        foreach (var index in indexes.Distinct().Order())
        {
            if (previous is { } p && index == p + 1) { previous = index; continue; }
            if (start is not null) Append(builder, start.Value, previous!.Value);
            start = previous = index;
        }
        if (start is not null) Append(builder, start.Value, previous!.Value);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, int from, int to)
    {
        if (builder.Length > 0) builder.Append(',');
        builder.Append(from.ToString(CultureInfo.InvariantCulture));
        if (to > from) builder.Append('-').Append(to.ToString(CultureInfo.InvariantCulture));
    }
}
