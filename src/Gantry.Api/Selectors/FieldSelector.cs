using System.Text;
using Gantry.Api.Errors;

namespace Gantry.Api.Selectors;

/// <summary>
/// A field selector: the AND of <c>field=value</c> / <c>field==value</c> / <c>field!=value</c> terms
/// (k8s.io/apimachinery/pkg/fields.ParseSelector), with its backslash escaping of <c>\</c>, <c>,</c> and <c>=</c>.
/// Which fields a resource supports is <see cref="FieldCatalog"/>'s business.
/// </summary>
public sealed class FieldSelector
{
    private static readonly string[] Operators = ["!=", "==", "="];

    private FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    /// <summary>The selector that matches everything.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The requirements, in the order of their sorted terms.</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; }

    /// <summary>The canonical selector text (same as <see cref="ToString"/>).</summary>
    public string Text => ToString();

    /// <summary>True when the selector selects everything.</summary>
    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>Parses field selector syntax; null or empty text selects everything.</summary>
    /// <exception cref="ApiException">400 BadRequest with Kubernetes' message when the text is invalid.</exception>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return Everything;
        var terms = SplitTerms(text);
        terms.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>();
        foreach (var term in terms)
        {
            if (term.Length == 0) continue;
            if (!SplitTerm(term, out var field, out var op, out var value))
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            requirements.Add(new FieldRequirement(field, op == "!=" ? FieldOperator.NotEquals : FieldOperator.Equals, Unescape(value)));
        }
        return requirements.Count == 0 ? Everything : new FieldSelector(requirements);
    }

    /// <summary>Whether an object matches, given a way to read its selectable fields (null for a field it lacks).</summary>
    public bool Matches(Func<string, string?> field)
    {
        foreach (var requirement in Requirements)
            if (!requirement.Matches(field(requirement.Field))) return false;
        return true;
    }

    /// <summary>The canonical text: terms joined by commas, values escaped.</summary>
    public override string ToString() => string.Join(",", Requirements);

    // Splits on commas that are not escaped; escapes stay in the terms for the value unescaping later.
    private static List<string> SplitTerms(string text)
    {
        var terms = new List<string>();
        var start = 0;
        var escaped = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (escaped) escaped = false;
            else if (text[i] == '\\') escaped = true;
            else if (text[i] == ',')
            {
                terms.Add(text[start..i]);
                start = i + 1;
            }
        }
        terms.Add(text[start..]);
        return terms;
    }

    private static bool SplitTerm(string term, out string field, out string op, out string value)
    {
        var escaped = false;
        for (var i = 0; i < term.Length; i++)
        {
            if (escaped)
            {
                escaped = false;
                continue;
            }
            if (term[i] == '\\')
            {
                escaped = true;
                continue;
            }
            foreach (var candidate in Operators)
            {
                if (string.CompareOrdinal(term, i, candidate, 0, candidate.Length) != 0) continue;
                field = term[..i];
                op = candidate;
                value = term[(i + candidate.Length)..];
                return true;
            }
        }
        field = op = value = "";
        return false;
    }

    private static string Unescape(string value)
    {
        if (value.IndexOfAny(['\\', ',', '=']) < 0) return value;
        var b = new StringBuilder(value.Length);
        var escaped = false;
        foreach (var c in value)
        {
            if (escaped)
            {
                if (c is not ('\\' or ',' or '='))
                    throw ApiException.BadRequest($"invalid field selector: invalid escape sequence: \\{c}");
                b.Append(c);
                escaped = false;
                continue;
            }
            switch (c)
            {
                case '\\':
                    escaped = true;
                    break;
                case ',' or '=':
                    // Go formats the offending rune with %v, which prints its code point.
                    throw ApiException.BadRequest($"invalid field selector: unescaped character in value: {(int)c}");
                default:
                    b.Append(c);
                    break;
            }
        }
        if (escaped) throw ApiException.BadRequest("invalid field selector: invalid escape sequence: \\");
        return b.ToString();
    }
}
