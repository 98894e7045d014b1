namespace Gantry.Api.Registry;

/// <summary>
/// One served resource: where it lives in the API (group/version/plural), how it is stored and what it can do.
/// A row of <see cref="BuiltInResources"/>; adding a kind is adding a row.
/// </summary>
public sealed record ResourceDefinition
{
    /// <summary>API group; empty for the core group.</summary>
    public required string Group { get; init; }
    /// <summary>API version, e.g. v1.</summary>
    public required string Version { get; init; }
    /// <summary>Kind, e.g. Pod.</summary>
    public required string Kind { get; init; }
    /// <summary>Plural resource name used in URLs, e.g. pods.</summary>
    public required string Plural { get; init; }
    /// <summary>Singular name, e.g. pod (Kubernetes uses the lower-cased kind).</summary>
    public string Singular => Kind.ToLowerInvariant();
    /// <summary>Whether objects live in a namespace.</summary>
    public required bool Namespaced { get; init; }
    /// <summary>kubectl short names, e.g. po.</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    /// <summary>Categories such as "all".</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];
    /// <summary>Subresources: status, scale, log, binding, eviction, token, exec, ...</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];
    /// <summary>Verbs on the collection and objects; the standard eight unless restricted.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = StandardVerbs;
    /// <summary>
    /// The resource whose storage this one shares (events.k8s.io events are stored as core events); null when own.
    /// </summary>
    public string? StorageResource { get; init; }
    /// <summary>True for virtual resources that only accept create (reviews); nothing is stored.</summary>
    public bool CreateOnly { get; init; }

    /// <summary>The verbs of an ordinary stored resource.</summary>
    public static readonly IReadOnlyList<string> StandardVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>"apps/v1" or "v1".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The kind of lists, e.g. PodList.</summary>
    public string ListKind => Kind + "List";

    /// <summary>Storage key prefix ending in '/', e.g. /registry/pods/ (Kubernetes' layout for built-in kinds).</summary>
    public string KeyPrefix => $"/registry/{StorageResource ?? Plural}/";

    /// <summary>The key of one object.</summary>
    public string KeyFor(string? ns, string name) => Namespaced ? $"{KeyPrefix}{ns}/{name}" : KeyPrefix + name;

    /// <summary>The list prefix for a namespace (or all, when null).</summary>
    public string PrefixFor(string? ns) => Namespaced && ns is not null ? $"{KeyPrefix}{ns}/" : KeyPrefix;
}
