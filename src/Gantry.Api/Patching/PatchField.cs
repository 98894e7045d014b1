namespace Gantry.Api.Patching;

/// <summary>How server-side apply treats a list (the OpenAPI <c>x-kubernetes-list-type</c>).</summary>
internal enum ApplyListType
{
    /// <summary>Replaced and owned as a whole.</summary>
    Atomic,

    /// <summary>Items identified by key fields (<c>k:{...}</c> in managedFields).</summary>
    Map,

    /// <summary>Primitive items identified by value (<c>v:...</c> in managedFields).</summary>
    Set,
}

/// <summary>
/// The patch metadata of one field of a Kubernetes Go type: its value type, its strategic-merge-patch strategy
/// (<c>patchStrategy</c>/<c>patchMergeKey</c> tags) and its server-side-apply list type and keys.
/// </summary>
/// <param name="Type">The Go type of the value, or of the list items; null for a type without table rows.</param>
/// <param name="MergeKey">The <c>patchMergeKey</c> of a list of objects merged by strategic merge patch.</param>
/// <param name="MergeSet">True for a primitive list with <c>patchStrategy:"merge"</c> (merged as a set).</param>
/// <param name="ApplyKeys">
/// The <c>listMapKey</c>s when they differ from the merge key (e.g. container ports: containerPort and protocol).
/// </param>
/// <param name="ApplyAtomic">True when the list is <c>listType=atomic</c> despite its patch strategy.</param>
/// <param name="AtomicStruct">True when the value (or each list item) is a <c>structType=atomic</c> object.</param>
internal sealed record PatchField(
    string? Type = null,
    string? MergeKey = null,
    bool MergeSet = false,
    string[]? ApplyKeys = null,
    bool ApplyAtomic = false,
    bool AtomicStruct = false)
{
    /// <summary>True when strategic merge patch merges this list instead of replacing it.</summary>
    public bool StrategicMerge => MergeKey is not null || MergeSet;

    /// <summary>The list type server-side apply uses (inferred from the patch strategy, as Kubernetes does).</summary>
    public ApplyListType ListType =>
        ApplyAtomic ? ApplyListType.Atomic
        : ApplyKeys is not null || MergeKey is not null ? ApplyListType.Map
        : MergeSet ? ApplyListType.Set
        : ApplyListType.Atomic;

    /// <summary>The key fields of a <see cref="ApplyListType.Map"/> list.</summary>
    public IReadOnlyList<string> Keys => ApplyKeys ?? (MergeKey is null ? [] : [MergeKey]);
}
