namespace Gantry.Api.Selectors;

/// <summary>A parsed field selector (placeholder until the selector work lands).</summary>
public sealed class FieldSelector
{
    private FieldSelector(string text) => Text = text;

    /// <summary>The selector text.</summary>
    public string Text { get; }

    /// <summary>True when the selector selects everything.</summary>
    public bool IsEmpty => Text.Length == 0;

    /// <summary>The parsed requirements.</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; } = [];

    /// <summary>Parses field selector syntax.</summary>
    public static FieldSelector Parse(string? text) => new((text ?? "").Trim());

    /// <summary>Whether an object matches, given a way to read its selectable fields.</summary>
    public bool Matches(Func<string, string?> field) => IsEmpty;
}

/// <summary>One requirement of a field selector.</summary>
public sealed record FieldRequirement(string Field, string Operator, string Value);
