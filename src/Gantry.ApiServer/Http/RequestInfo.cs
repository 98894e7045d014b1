namespace Gantry.ApiServer.Http;

/// <summary>What a resource request asks for, parsed from its path and method (as Kubernetes' RequestInfoFactory).</summary>
public sealed record RequestInfo
{
    /// <summary>API group ("" for core).</summary>
    public required string Group { get; init; }
    /// <summary>API version.</summary>
    public required string Version { get; init; }
    /// <summary>Namespace from the path, or null.</summary>
    public string? Namespace { get; init; }
    /// <summary>Plural resource.</summary>
    public required string Resource { get; init; }
    /// <summary>Object name, or null for collection requests.</summary>
    public string? Name { get; init; }
    /// <summary>Subresource (status, scale, ...), or null.</summary>
    public string? Subresource { get; init; }
    /// <summary>get, list, watch, create, update, patch, delete, deletecollection.</summary>
    public required string Verb { get; init; }
}
