using Gantry.Storage;

namespace Gantry.ApiServer.Objects;

/// <summary>How unknown fields in a write are treated (the <c>fieldValidation</c> query parameter).</summary>
public enum FieldValidation
{
    /// <summary>Drop unknown fields silently.</summary>
    Ignore,
    /// <summary>Drop them and warn (the server default).</summary>
    Warn,
    /// <summary>Refuse the request (kubectl's default).</summary>
    Strict,
}

/// <summary>Per-request options of a write.</summary>
public sealed class WriteOptions
{
    /// <summary>dryRun=All: validate and answer, store nothing.</summary>
    public bool DryRun { get; init; }
    /// <summary>The field manager recorded in managedFields.</summary>
    public string FieldManager { get; init; } = "unknown";
    /// <summary>Unknown-field policy.</summary>
    public FieldValidation FieldValidation { get; init; } = FieldValidation.Warn;
    /// <summary>Server-side apply: take ownership of conflicting fields.</summary>
    public bool Force { get; init; }
    /// <summary>Server-side apply records its own managedFields; other writes are recorded as "Update".</summary>
    public bool IsApply { get; init; }
    /// <summary>Warnings to return in Warning headers.</summary>
    public List<string> Warnings { get; } = [];
    /// <summary>
    /// The stored form of the object the write left in the store (null after a dry run or a deletion): the answer is
    /// these bytes with resourceVersion stamped in, instead of serializing the object a second time.
    /// </summary>
    internal StoredValue? Written { get; set; }
}
