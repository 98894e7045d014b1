using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Node.Images;

/// <summary>Media types of the Docker v2 schema 2 and OCI image formats.</summary>
internal static class MediaTypes
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// <summary>What a pull accepts, best first (schema 1 is not accepted, as containerd 2 dropped it).</summary>
    public const string Accept = OciIndex + ", " + DockerList + ", " + OciManifest + ", " + DockerManifest;

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerList;
}

/// <summary>A content descriptor (OCI descriptor / Docker manifest entry).</summary>
internal sealed record Descriptor
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("digest")] public required string Digest { get; init; }
    [JsonPropertyName("size")] public long Size { get; init; }
    [JsonPropertyName("platform")] public Platform? Platform { get; init; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; init; }
}

/// <summary>The platform of an index entry.</summary>
internal sealed record Platform
{
    [JsonPropertyName("architecture")] public string? Architecture { get; init; }
    [JsonPropertyName("os")] public string? Os { get; init; }
}

/// <summary>An image manifest or an index (manifest list): one shape, told apart by media type and fields.</summary>
internal sealed record ManifestDocument
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("config")] public Descriptor? Config { get; init; }
    [JsonPropertyName("layers")] public List<Descriptor>? Layers { get; init; }
    [JsonPropertyName("manifests")] public List<Descriptor>? Manifests { get; init; }

    public static ManifestDocument Parse(byte[] json) =>
        JsonSerializer.Deserialize(json, ImageDocumentsJson.Default.ManifestDocument) ?? throw new InvalidDataException("empty manifest");
}

/// <summary>The parts of an image config file the node reads.</summary>
internal sealed record ConfigDocument
{
    [JsonPropertyName("config")] public ConfigSection? Config { get; init; }
    [JsonPropertyName("rootfs")] public RootFs? RootFs { get; init; }

    public static ConfigDocument Parse(byte[] json) =>
        JsonSerializer.Deserialize(json, ImageDocumentsJson.Default.ConfigDocument) ?? throw new InvalidDataException("empty image config");

    /// <summary>The layer diff ids, bottom first; an image without them cannot be unpacked.</summary>
    public IReadOnlyList<string> DiffIds => RootFs?.DiffIds ?? throw new InvalidDataException("image config has no rootfs.diff_ids");

    public ImageConfig ToImageConfig() => new()
    {
        User = string.IsNullOrEmpty(Config?.User) ? null : Config.User,
        Env = Config?.Env ?? [],
        Entrypoint = Config?.Entrypoint ?? [],
        Cmd = Config?.Cmd ?? [],
        WorkingDir = string.IsNullOrEmpty(Config?.WorkingDir) ? null : Config.WorkingDir,
        StopSignal = string.IsNullOrEmpty(Config?.StopSignal) ? null : Config.StopSignal,
    };
}

/// <summary>The runtime section of an image config (capitalized keys, as Docker writes them).</summary>
internal sealed record ConfigSection
{
    [JsonPropertyName("User")] public string? User { get; init; }
    [JsonPropertyName("Env")] public List<string>? Env { get; init; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; init; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; init; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; init; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; init; }
}

/// <summary>rootfs of an image config.</summary>
internal sealed record RootFs
{
    [JsonPropertyName("diff_ids")] public List<string>? DiffIds { get; init; }
}
