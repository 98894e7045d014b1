namespace Gantry.Api.Schema;

/// <summary>What <see cref="SchemaChecker.Check"/> found in an object.</summary>
public sealed class SchemaReport
{
    /// <summary>A report with nothing found.</summary>
    public static SchemaReport Empty { get; } = new([], []);

    /// <summary>Creates a report.</summary>
    public SchemaReport(IReadOnlyList<string> unknownFields, IReadOnlyList<string> typeErrors)
    {
        UnknownFields = unknownFields;
        TypeErrors = typeErrors;
    }

    /// <summary>
    /// Paths of the fields the schema does not know, already removed from the object, formatted as Kubernetes' strict
    /// decoding prints them: <c>spec.template.spec.containers[0].imagee</c> (the server quotes them:
    /// <c>unknown field "…"</c>).
    /// </summary>
    public IReadOnlyList<string> UnknownFields { get; }

    /// <summary>
    /// Values of the wrong JSON type, worded like Go's encoding/json, e.g.
    /// <c>json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container</c>.
    /// </summary>
    public IReadOnlyList<string> TypeErrors { get; }

    /// <summary>True when nothing was found.</summary>
    public bool IsClean => UnknownFields.Count == 0 && TypeErrors.Count == 0;
}
