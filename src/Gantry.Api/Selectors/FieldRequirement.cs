namespace Gantry.Api.Selectors;

/// <summary>One condition of a field selector.</summary>
/// <param name="Field">The field label, e.g. <c>spec.nodeName</c>.</param>
/// <param name="Operator">Equals or NotEquals.</param>
/// <param name="Value">The unescaped value.</param>
public sealed record FieldRequirement(string Field, FieldOperator Operator, string Value)
{
    /// <summary>Whether a field value satisfies this requirement; a missing field reads as "" like fields.Set.Get.</summary>
    public bool Matches(string? actual) => (Operator == FieldOperator.Equals) == ((actual ?? "") == Value);

    /// <summary>The canonical text, with <c>\</c>, <c>,</c> and <c>=</c> escaped in the value.</summary>
    public override string ToString() =>
        Field + (Operator == FieldOperator.Equals ? "=" : "!=") + Value.Replace("\\", "\\\\").Replace(",", "\\,").Replace("=", "\\=");
}
