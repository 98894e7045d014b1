namespace Gantry.Api.Selectors;

/// <summary>The operators of a label requirement (k8s.io/apimachinery/pkg/selection).</summary>
public enum LabelOperator
{
    /// <summary><c>key in (a,b)</c>.</summary>
    In,
    /// <summary><c>key notin (a,b)</c>; also true when the key is absent.</summary>
    NotIn,
    /// <summary><c>key=value</c>.</summary>
    Equals,
    /// <summary><c>key==value</c>.</summary>
    DoubleEquals,
    /// <summary><c>key!=value</c>; also true when the key is absent.</summary>
    NotEquals,
    /// <summary><c>key</c>.</summary>
    Exists,
    /// <summary><c>!key</c>.</summary>
    DoesNotExist,
    /// <summary><c>key&gt;n</c> (integers).</summary>
    GreaterThan,
    /// <summary><c>key&lt;n</c> (integers).</summary>
    LessThan,
}
