using Gantry.ApiServer.Security.Authentication;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>What a request asks to do, as Kubernetes' authorizer.Attributes: a resource request or a non-resource path.</summary>
internal sealed record AccessAttributes
{
    /// <summary>Who asks.</summary>
    public required UserInfo User { get; init; }

    /// <summary>The verb (get, list, watch, create, ... for resources; get, post, put, ... for paths).</summary>
    public required string Verb { get; init; }

    /// <summary>Whether this is a resource request (else <see cref="Path"/> applies).</summary>
    public bool IsResourceRequest { get; init; } = true;

    /// <summary>API group ("" for core).</summary>
    public string Group { get; init; } = "";

    /// <summary>API version.</summary>
    public string Version { get; init; } = "";

    /// <summary>Plural resource.</summary>
    public string Resource { get; init; } = "";

    /// <summary>Subresource or "".</summary>
    public string Subresource { get; init; } = "";

    /// <summary>Namespace or "" (cluster scope or all namespaces).</summary>
    public string Namespace { get; init; } = "";

    /// <summary>Object name or "".</summary>
    public string Name { get; init; } = "";

    /// <summary>Request path of a non-resource request.</summary>
    public string Path { get; init; } = "";
}
