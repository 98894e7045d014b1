namespace Gantry.Client.Informers;

/// <summary>What one informer watches: a namespace and selectors (part of its identity in a factory), and timings.</summary>
public sealed record InformerOptions
{
    /// <summary>Only this namespace; null = all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>Only objects matching this label selector.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Only objects matching this field selector (e.g. spec.nodeName=node-1 for a node agent).</summary>
    public string? FieldSelector { get; init; }

    /// <summary>
    /// How often every cached object is re-delivered as OnUpdate(obj, obj); zero = never. Ignored when the factory
    /// already has an informer with the same identity (the first one's period holds).
    /// </summary>
    public TimeSpan? ResyncPeriod { get; init; }

    /// <summary>Page size of the initial list and relists; 0 lists everything in one response (from the watch cache).</summary>
    public int PageSize { get; init; } = 500;
}
