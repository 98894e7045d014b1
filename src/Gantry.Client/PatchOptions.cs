namespace Gantry.Client;

/// <summary>Options of a patch request.</summary>
public sealed record PatchOptions
{
    /// <summary>The field manager (required for <see cref="PatchType.Apply"/>).</summary>
    public string? FieldManager { get; init; }

    /// <summary>Server-side apply: take ownership of fields other managers own instead of failing with a conflict.</summary>
    public bool Force { get; init; }
}
