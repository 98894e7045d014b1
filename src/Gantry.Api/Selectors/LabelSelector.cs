using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Selectors;

/// <summary>
/// A label selector: the AND of its requirements (k8s.io/apimachinery/pkg/labels.Selector). Parsed from kubectl's
/// text syntax or built from a metav1.LabelSelector object; <see cref="Everything"/> and <see cref="Nothing"/> are
/// the two selectors without requirements.
/// </summary>
public sealed class LabelSelector
{
    private LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool matchesNothing)
    {
        Requirements = requirements;
        MatchesNothing = matchesNothing;
    }

    /// <summary>The selector that matches every object (an empty selector).</summary>
    public static LabelSelector Everything { get; } = new([], false);

    /// <summary>The selector that matches no object (what a missing metav1.LabelSelector means).</summary>
    public static LabelSelector Nothing { get; } = new([], true);

    /// <summary>The requirements, sorted by key.</summary>
    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>The canonical selector text (same as <see cref="ToString"/>).</summary>
    public string Text => ToString();

    /// <summary>True only for <see cref="Nothing"/>.</summary>
    public bool MatchesNothing { get; }

    /// <summary>True when the selector does not restrict anything (<see cref="Everything"/>).</summary>
    public bool IsEmpty => !MatchesNothing && Requirements.Count == 0;

    /// <summary>
    /// Parses kubectl's syntax: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c>,
    /// <c>!a</c>, <c>a&gt;1</c>, <c>a&lt;1</c>, comma-separated. Null or blank text selects everything.
    /// </summary>
    /// <exception cref="ApiException">400 BadRequest with Kubernetes' message when the text is invalid.</exception>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return Everything;
        try
        {
            var requirements = LabelSelectorParser.Parse(text);
            return requirements.Count == 0 ? Everything : new LabelSelector(requirements, false);
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    /// <summary>
    /// Converts a metav1.LabelSelector object (matchLabels, matchExpressions) like LabelSelectorAsSelector: a null
    /// selector matches nothing, an empty one matches everything.
    /// </summary>
    /// <exception cref="ApiException">400 BadRequest when a key, value or operator is invalid.</exception>
    public static LabelSelector FromLabelSelectorObject(JsonNode? selector)
    {
        if (selector is null) return Nothing;
        if (selector is not JsonObject obj) throw ApiException.BadRequest("label selector must be an object");
        var matchLabels = obj["matchLabels"] as JsonObject;
        var expressions = obj["matchExpressions"] as JsonArray;
        if ((matchLabels?.Count ?? 0) + (expressions?.Count ?? 0) == 0) return Everything;

        var errors = new List<string>();
        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in matchLabels ?? [])
        {
            requirements.Add(LabelRequirement.Create(key, LabelOperator.Equals, [ValueText(value)], errors));
            if (errors.Count > 0) throw ApiException.BadRequest(Aggregate(errors));
        }
        foreach (var expression in expressions ?? [])
        {
            var key = ValueText(expression?["key"]);
            var operatorName = ValueText(expression?["operator"]);
            LabelOperator op = operatorName switch
            {
                "In" => LabelOperator.In,
                "NotIn" => LabelOperator.NotIn,
                "Exists" => LabelOperator.Exists,
                "DoesNotExist" => LabelOperator.DoesNotExist,
                _ => throw ApiException.BadRequest($"{LabelValidation.Quote(operatorName)} is not a valid label selector operator"),
            };
            // A missing values list is a nil slice in Go, which its error messages print differently from an empty one.
            var values = expression?["values"] is JsonArray array ? array.Select(ValueText).ToList() : null;
            requirements.Add(LabelRequirement.Create(key, op, values, errors));
            if (errors.Count > 0) throw ApiException.BadRequest(Aggregate(errors));
        }
        return new LabelSelector([.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)], false);
    }

    /// <summary>A selector that matches exactly the given labels (SelectorFromSet); empty or null labels select everything.</summary>
    public static LabelSelector FromLabels(JsonObject? labels)
    {
        if (labels is null || labels.Count == 0) return Everything;
        // Like SelectorFromSet, the set is trusted (it comes from a validated object), so problems are not reported.
        var ignored = new List<string>();
        var requirements = labels.Select(p => LabelRequirement.Create(p.Key, LabelOperator.Equals, [ValueText(p.Value)], ignored));
        return new LabelSelector([.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)], false);
    }

    /// <summary>
    /// A metav1.LabelSelector as printers show it (metav1.FormatLabelSelector): "&lt;none&gt;" when null or empty,
    /// "&lt;error&gt;" when invalid.
    /// </summary>
    public static string Format(JsonNode? selector)
    {
        try
        {
            var text = FromLabelSelectorObject(selector).ToString();
            return text.Length == 0 ? "<none>" : text;
        }
        catch (ApiException)
        {
            return "<error>";
        }
    }

    /// <summary>A label map as printers show it (labels.FormatLabels): sorted <c>k=v</c> pairs, or "&lt;none&gt;".</summary>
    public static string FormatLabels(JsonNode? labels)
    {
        if (labels is not JsonObject map || map.Count == 0) return "<none>";
        return string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={ValueText(p.Value)}"));
    }

    /// <summary>Whether an object's labels match; <see cref="Nothing"/> never matches.</summary>
    public bool Matches(JsonObject? labels)
    {
        if (MatchesNothing) return false;
        foreach (var requirement in Requirements)
            if (!requirement.Matches(labels)) return false;
        return true;
    }

    /// <summary>The canonical text: requirements sorted by key, comma-separated; empty for Everything and Nothing.</summary>
    public override string ToString() => string.Join(",", Requirements);

    /// <summary>Go's aggregate error text: the single message, or all of them in brackets.</summary>
    internal static string Aggregate(IReadOnlyList<string> errors)
    {
        var distinct = errors.Distinct().ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }

    private static string ValueText(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        null => "",
        _ => node.ToJsonString(),
    };
}
