namespace Gantry.Node.Images;

/// <summary>Settings of the node's image service.</summary>
public sealed record ImageServiceOptions
{
    /// <summary>Registries (host or host:port) spoken to over plain http, besides loopback ones (containerd's insecure registries).</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>How often the drop directory is checked for new archives.</summary>
    public TimeSpan DropDirPollInterval { get; init; } = TimeSpan.FromSeconds(2);
}
