using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Gantry.Node.Images;

/// <summary>
/// A parsed image reference, normalized as containerd and the kubelet report it (busybox -> docker.io/library/busybox),
/// following the grammar of the distribution project's reference package.
/// </summary>
internal sealed partial record ImageReference(string Domain, string Path, string? Tag, string? Digest)
{
    /// <summary>The domain images without one belong to.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>domain/path, e.g. docker.io/library/busybox.</summary>
    public string Repository => Domain + "/" + Path;

    /// <summary>The host (and port) to talk to: Docker Hub's registry API lives on another host than its name.</summary>
    public string RegistryHost => Domain == DockerHub ? "registry-1.docker.io" : Domain;

    /// <summary>The tag or digest a registry manifest request names.</summary>
    public string ManifestReference => Digest ?? Tag ?? "latest";

    /// <summary>The reference with the tag "latest" when it names neither a tag nor a digest (the kubelet's default).</summary>
    public ImageReference WithDefaultTag() => Tag is null && Digest is null ? this with { Tag = "latest" } : this;

    /// <inheritdoc />
    public override string ToString() => Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>Parses and normalizes <paramref name="text"/>; <paramref name="error"/> says why it is invalid.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ImageReference? reference, out string error)
    {
        reference = null;
        error = "invalid reference format";
        if (string.IsNullOrEmpty(text) || text.Length > 4096) return false;
        var name = text;
        string? digest = null;
        var at = name.IndexOf('@');
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (!DigestPattern().IsMatch(digest)) return false;
        }
        string? tag = null;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!TagPattern().IsMatch(tag)) return false;
        }
        if (name.Length == 0 || name.Length > 255) return false;
        string domain, path;
        var slash = name.IndexOf('/');
        var first = slash < 0 ? "" : name[..slash];
        if (slash < 0 || (first.IndexOfAny(['.', ':']) < 0 && first != "localhost" && first.ToLowerInvariant() == first))
        {
            domain = DockerHub;
            path = name;
        }
        else
        {
            domain = first;
            path = name[(slash + 1)..];
        }
        if (domain == "index.docker.io") domain = DockerHub;
        if (domain == DockerHub && !path.Contains('/')) path = "library/" + path;
        if (path.Any(char.IsUpper))
        {
            error = $"invalid reference format: repository name ({path}) must be lowercase";
            return false;
        }
        if (!DomainPattern().IsMatch(domain) || !path.Split('/').All(c => ComponentPattern().IsMatch(c))) return false;
        reference = new ImageReference(domain, path, tag, digest);
        error = "";
        return true;
    }

    /// <summary>True when <paramref name="text"/> is an image id (sha256:hex, or a hex id or prefix of at least 12 digits).</summary>
    public static bool LooksLikeId(string text, out string idOrPrefix)
    {
        idOrPrefix = text.StartsWith("sha256:", StringComparison.Ordinal) ? text : "sha256:" + text;
        var hex = idOrPrefix["sha256:".Length..];
        return hex.Length is >= 12 and <= 64 && hex.All(char.IsAsciiHexDigitLower);
    }

    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\\[[0-9a-fA-F:]+\\](?::[0-9]+)?$")]
    private static partial Regex DomainPattern();

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$")]
    private static partial Regex ComponentPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex DigestPattern();
}
