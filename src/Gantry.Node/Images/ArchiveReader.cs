using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Gantry.Node.Images;

/// <summary>
/// Reads the images in a <c>docker save</c> archive, an OCI archive (a tar of an OCI layout) or an OCI layout directory,
/// plain or gzip-compressed, as docker, podman, skopeo, buildah and containerd write them.
/// </summary>
internal static class ArchiveReader
{
    /// <summary>The images in <paramref name="path"/>; archives are extracted into <paramref name="extractDir"/> first.</summary>
    public static async Task<IReadOnlyList<PendingImage>> ReadAsync(string path, string extractDir, CancellationToken cancellationToken)
    {
        string dir;
        if (Directory.Exists(path)) dir = path;
        else if (File.Exists(path))
        {
            await ExtractAsync(path, extractDir, cancellationToken);
            dir = extractDir;
        }
        else throw new FileNotFoundException($"no such file or directory: {path}", path);
        // docker 25+ writes both an OCI layout and manifest.json: the layout carries the real manifest digest.
        if (File.Exists(Path.Combine(dir, "index.json")) && File.Exists(Path.Combine(dir, "oci-layout"))) return ReadOciLayout(dir);
        if (File.Exists(Path.Combine(dir, "manifest.json"))) return ReadDockerArchive(dir);
        throw new InvalidDataException($"{path} is neither a docker save archive (manifest.json) nor an OCI layout (oci-layout, index.json)");
    }

    private static List<PendingImage> ReadOciLayout(string dir)
    {
        var index = ManifestDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "index.json")));
        var images = new Dictionary<string, PendingImage>();
        foreach (var entry in index.Manifests ?? [])
        {
            var names = new List<ImageReference>();
            if (NameOf(entry) is { } name) names.Add(name);
            if (images.TryGetValue(entry.Digest, out var seen))
            {
                images[entry.Digest] = seen with { Names = [.. seen.Names, .. names] };
                continue;
            }
            var blobs = new List<byte[]>();
            var top = ReadBlob(dir, entry.Digest);
            blobs.Add(top);
            var manifest = ManifestDocument.Parse(top);
            if (MediaTypes.IsIndex(entry.MediaType) || manifest.Manifests is not null)
            {
                var chosen = PlatformMatcher.Choose(manifest.Manifests ?? []);
                var bytes = ReadBlob(dir, chosen.Digest);
                blobs.Add(bytes);
                manifest = ManifestDocument.Parse(bytes);
            }
            var configDescriptor = manifest.Config ?? throw new InvalidDataException($"manifest {entry.Digest} has no config");
            var config = ReadBlob(dir, configDescriptor.Digest);
            var layers = Layers(ConfigDocument.Parse(config).DiffIds, (manifest.Layers ?? []).Select(l => BlobFile(dir, l.Digest)).ToList());
            images[entry.Digest] = new PendingImage(entry.Digest, blobs, config, layers, names);
        }
        return [.. images.Values];
    }

    /// <summary>
    /// The name of a layout entry: containerd's full-name annotation, else the OCI ref name when it is a full name
    /// (skopeo and buildah write one); a bare tag such as "1" names no repository, so the image is imported by id.
    /// </summary>
    private static ImageReference? NameOf(Descriptor entry)
    {
        var annotations = entry.Annotations ?? [];
        foreach (var key in (string[])["io.containerd.image.name", "org.opencontainers.image.ref.name"])
        {
            if (annotations.TryGetValue(key, out var value) && value.IndexOfAny(['/', ':', '@']) >= 0 &&
                ImageReference.TryParse(value, out var reference, out _))
                return reference.WithDefaultTag();
        }
        return null;
    }

    private static List<PendingImage> ReadDockerArchive(string dir)
    {
        var entries = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, "manifest.json")), ImageDocumentsJson.Default.ListDockerArchiveEntry)
            ?? throw new InvalidDataException("manifest.json is empty");
        var images = new List<PendingImage>();
        foreach (var entry in entries)
        {
            var config = File.ReadAllBytes(Inside(dir, entry.Config));
            var files = entry.Layers.Select(l => Inside(dir, l)).ToList();
            // docker save has no registry manifest; one is made as containerd's import does, so the image has a digest.
            var manifest = JsonSerializer.SerializeToUtf8Bytes(new ManifestDocument
            {
                SchemaVersion = 2,
                MediaType = MediaTypes.DockerManifest,
                Config = new Descriptor { MediaType = MediaTypes.DockerConfig, Digest = ImageStore.Digest(config), Size = config.Length },
                Layers = files.Select(f => new Descriptor { MediaType = "application/vnd.docker.image.rootfs.diff.tar", Digest = FileDigest(f), Size = new FileInfo(f).Length }).ToList(),
            }, ImageDocumentsJson.Default.ManifestDocument);
            var names = (entry.RepoTags ?? []).Select(t => ImageReference.TryParse(t, out var r, out _) ? r.WithDefaultTag() : null).OfType<ImageReference>().ToList();
            images.Add(new PendingImage(ImageStore.Digest(manifest), [manifest], config, Layers(ConfigDocument.Parse(config).DiffIds, files), names));
        }
        return images;
    }

    private static List<PendingLayer> Layers(IReadOnlyList<string> diffIds, IReadOnlyList<string> files)
    {
        if (diffIds.Count != files.Count) throw new InvalidDataException($"the manifest lists {files.Count} layers but the config {diffIds.Count} diff ids");
        return diffIds.Select((d, i) => new PendingLayer(d, _ => Task.FromResult(files[i]), Fetched: false)).ToList();
    }

    private static byte[] ReadBlob(string dir, string digest)
    {
        var bytes = File.ReadAllBytes(BlobFile(dir, digest));
        if (ImageStore.Digest(bytes) != digest) throw new InvalidDataException($"blob {digest} does not match its digest");
        return bytes;
    }

    private static string BlobFile(string dir, string digest)
    {
        var parts = digest.Split(':', 2);
        if (parts.Length != 2 || parts[0] != "sha256" || parts[1].Length != 64) throw new InvalidDataException($"unsupported digest \"{digest}\"");
        var path = Path.Combine(dir, "blobs", "sha256", parts[1]);
        return File.Exists(path) ? path : throw new InvalidDataException($"the layout has no blob {digest}");
    }

    private static string FileDigest(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static string Inside(string dir, string relative) => Path.Combine(dir, LayerUnpacker.CleanPath(relative));

    /// <summary>Extracts regular files; links (docker save shares layers through symlinks) become hard links inside the directory.</summary>
    private static async Task ExtractAsync(string archive, string dir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dir);
        var links = new List<(string Path, string Target)>();
        await using var stream = Compression.OpenDecompressed(archive);
        using var reader = new TarReader(stream);
        while (await NextEntryAsync(reader, archive, cancellationToken) is { } entry)
        {
            var relative = LayerUnpacker.CleanPath(entry.Name);
            if (relative.Length == 0) continue;
            var path = Path.Combine(dir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
                        if (entry.DataStream is { } data) await data.CopyToAsync(file, cancellationToken);
                    break;
                case TarEntryType.SymbolicLink:
                    var target = entry.LinkName.StartsWith('/') ? entry.LinkName : Path.GetRelativePath(dir, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, entry.LinkName)));
                    links.Add((path, target));
                    break;
                case TarEntryType.HardLink:
                    links.Add((path, entry.LinkName));
                    break;
            }
        }
        foreach (var (path, target) in links)
        {
            var source = Inside(dir, target.TrimStart('/'));
            if (!File.Exists(source)) throw new InvalidDataException($"archive link {Path.GetRelativePath(dir, path)} points to {target}, which the archive does not contain");
            LibC.Link(source, path);
        }
    }

    private static async Task<TarEntry?> NextEntryAsync(TarReader reader, string archive, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"{archive} is not a tar archive (plain or gzip): {e.Message}", e);
        }
    }

    /// <summary>One image of a <c>docker save</c> manifest.json.</summary>
    internal sealed record DockerArchiveEntry
    {
        public required string Config { get; init; }
        public List<string>? RepoTags { get; init; }
        public required List<string> Layers { get; init; }
    }
}
