using System.Formats.Tar;
using System.Text.Json.Nodes;
using Gantry.Node.Images;

namespace Gantry.Node.Tests.Images;

/// <summary>A one-layer image holding /hello with the given content: distinct images for store tests in a few lines.</summary>
internal static class TinyImage
{
    public static void WriteOciLayout(string dir, string name, string content)
    {
        var blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        string Write(byte[] bytes)
        {
            var digest = ImageStore.Digest(bytes);
            File.WriteAllBytes(Path.Combine(blobs, digest[7..]), bytes);
            return digest;
        }
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "hello") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) });
        var layer = tar.ToArray();
        var layerDigest = Write(layer);
        var config = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64", ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layerDigest) },
        }.ToJsonString());
        var configDigest = Write(config);
        var manifest = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = new JsonObject { ["mediaType"] = MediaTypes.OciConfig, ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar", ["digest"] = layerDigest, ["size"] = layer.Length }),
        }.ToJsonString());
        var manifestDigest = Write(manifest);
        File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(dir, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = MediaTypes.OciManifest, ["digest"] = manifestDigest, ["size"] = manifest.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = name },
            }),
        }.ToJsonString());
    }
}
