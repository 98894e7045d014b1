using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Controllers.History;

/// <summary>
/// Writes JSON the way Go's encoding/json writes a decoded <c>map[string]interface{}</c>: keys sorted, no spaces, and
/// Go's string escaping (&lt; &gt; &amp; U+2028 U+2029 as \u escapes, other characters verbatim). kubectl compares
/// ControllerRevision data with bytes it builds this way, so ours must be byte-identical.
/// </summary>
public static class GoJson
{
    /// <summary>The Go encoding of <paramref name="node"/>.</summary>
    public static string Write(JsonNode? node)
    {
        var builder = new StringBuilder();
        Append(builder, node);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) builder.Append(',');
                    first = false;
                    AppendString(builder, key);
                    builder.Append(':');
                    Append(builder, value);
                }
                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    Append(builder, array[i]);
                }
                builder.Append(']');
                break;
            case JsonValue value:
                AppendValue(builder, value);
                break;
        }
    }

    private static void AppendValue(StringBuilder builder, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                AppendString(builder, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            case JsonValueKind.Number:
                AppendNumber(builder, value);
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    // Go decodes numbers into float64 and prints them in the shortest form; integers stay integers.
    private static void AppendNumber(StringBuilder builder, JsonValue value)
    {
        var text = value.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) && Math.Abs(integer) < 1L << 53)
        {
            builder.Append(integer.ToString(CultureInfo.InvariantCulture));
            return;
        }
        var number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        builder.Append(number == Math.Floor(number) && Math.Abs(number) < 1e21
            ? number.ToString("F0", CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture));
    }

    private static void AppendString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: builder.Append(c); break;
            }
        }
        builder.Append('"');
    }
}
