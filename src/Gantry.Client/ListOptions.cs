namespace Gantry.Client;

/// <summary>Query options of list, watch and delete-collection requests.</summary>
public sealed record ListOptions
{
    /// <summary>A label selector, e.g. <c>app=web,tier!=db</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>A field selector, e.g. <c>spec.nodeName=node-1</c>.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>
    /// For lists: unset = the latest state, "0" = any state the server has cached. For watches: the revision to watch
    /// after; unset or "0" first delivers every current object as ADDED.
    /// </summary>
    public string? ResourceVersion { get; init; }

    /// <summary>Page size of one list request; with <see cref="ListAllPages"/> the client fetches page after page.</summary>
    public int? Limit { get; init; }

    /// <summary>The continue token of the previous page.</summary>
    public string? Continue { get; init; }

    /// <summary>When set (the default) a paged list follows continue tokens and returns every item.</summary>
    public bool ListAllPages { get; init; } = true;

    /// <summary>
    /// Client side, never sent: objects are decoded without <c>metadata.managedFields</c>, as informers keep them
    /// (their caches hold every object, and nothing that reads them uses field ownership).
    /// </summary>
    public bool OmitManagedFields { get; init; }

    /// <summary>Server-side timeout of a watch; when unset the client picks 5 to 10 minutes, as client-go's reflector does.</summary>
    public int? TimeoutSeconds { get; init; }
}
