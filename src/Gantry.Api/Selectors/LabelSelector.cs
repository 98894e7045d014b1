using System.Text.Json.Nodes;

namespace Gantry.Api.Selectors;

/// <summary>A parsed label selector (placeholder until the selector work lands: matches everything only when empty).</summary>
public sealed class LabelSelector
{
    private LabelSelector(string text) => Text = text;

    /// <summary>The selector text.</summary>
    public string Text { get; }

    /// <summary>True when the selector selects everything.</summary>
    public bool IsEmpty => Text.Length == 0;

    /// <summary>Parses kubectl's label selector syntax.</summary>
    public static LabelSelector Parse(string? text) => new((text ?? "").Trim());

    /// <summary>Whether an object's labels match.</summary>
    public bool Matches(JsonObject? labels) => IsEmpty;

    /// <summary>Converts a metav1.LabelSelector object.</summary>
    public static LabelSelector FromLabelSelectorObject(JsonNode? selector) => new("");

    /// <summary>Formats a metav1.LabelSelector for printing.</summary>
    public static string Format(JsonNode? selector) => "<none>";

    /// <inheritdoc />
    public override string ToString() => Text;
}
