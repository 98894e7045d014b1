using Gantry.Api.Registry;

namespace Gantry.Client;

/// <summary>Settings of an <see cref="ApiClient"/>.</summary>
public sealed record ApiClientOptions
{
    /// <summary>Deadline of one non-watch request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The User-Agent header (shows in server logs and audit).</summary>
    public string UserAgent { get; init; } = "gantry-client";

    /// <summary>The registry that maps model types to resources.</summary>
    public ResourceRegistry Registry { get; init; } = ResourceRegistry.BuiltIn;
}
