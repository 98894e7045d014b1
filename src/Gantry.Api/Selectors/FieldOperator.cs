namespace Gantry.Api.Selectors;

/// <summary>The operators of a field requirement.</summary>
public enum FieldOperator
{
    /// <summary><c>field=value</c> (also written <c>==</c>).</summary>
    Equals,
    /// <summary><c>field!=value</c>.</summary>
    NotEquals,
}
