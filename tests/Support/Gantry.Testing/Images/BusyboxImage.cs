using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Testing.Images;

/// <summary>
/// A real, runnable busybox image for node tests, built from Debian's busybox-static (/bin/busybox; missing or dynamic
/// is an error, never a skipped test). Three layers, so whiteouts are exercised:
/// <list type="number">
/// <item>(gzip) /bin/busybox with every applet as a symlink in /bin (/bin/sh, /bin/httpd, /bin/sleep, ...),
/// /etc/passwd and /etc/group (root 0, nobody 65534), /tmp (1777), /root;</item>
/// <item>(tar) /etc/motd, /var/stale/old.txt, /srv/www/index.html ("hello from gantry busybox\n");</item>
/// <item>(tar) whiteouts: /etc/.wh.motd and the opaque /var/stale/.wh..wh..opq plus /var/stale/new.txt.</item>
/// </list>
/// The merged root therefore has no /etc/motd and /var/stale holds only new.txt. Config: Cmd ["sh"], Env PATH=... .
/// Output is byte-for-byte deterministic, so digests are stable across calls.
/// </summary>
public static class BusyboxImage
{
    /// <summary>The name images are written under unless another is given.</summary>
    public const string DefaultName = "gantry.test/busybox:1";

    /// <summary>Where Debian's busybox-static installs the binary.</summary>
    public const string BusyboxPath = "/bin/busybox";

    /// <summary>The PATH in the image's config.</summary>
    public const string PathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<Built> Image = new(Build);

    /// <summary>Writes an OCI image layout directory (oci-layout, index.json, blobs/sha256) naming the image <paramref name="name"/>.</summary>
    public static void WriteOciLayout(string dir, string name = DefaultName)
    {
        var image = Image.Value;
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        foreach (var blob in image.OciBlobs) File.WriteAllBytes(Path.Combine(dir, "blobs", "sha256", Hex(blob)), blob);
        File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllBytes(Path.Combine(dir, "index.json"), Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = Digest(image.Manifest),
                ["size"] = image.Manifest.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = name },
            }),
        }));
    }

    /// <summary>Writes an OCI archive: a tar of the OCI layout <see cref="WriteOciLayout"/> writes.</summary>
    public static void WriteOciArchive(string file, string name = DefaultName)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gantry-oci-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteOciLayout(dir, name);
            TarFile.CreateFromDirectory(dir, file, includeBaseDirectory: false);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Writes a <c>docker save</c> archive (manifest.json, repositories, config, uncompressed ID/layer.tar) tagged <paramref name="name"/>.</summary>
    public static void WriteDockerArchive(string file, string name = DefaultName)
    {
        var image = Image.Value;
        var colon = name.LastIndexOf(':');
        var (repository, tag) = colon > name.LastIndexOf('/') ? (name[..colon], name[(colon + 1)..]) : (name, "latest");
        var layerPaths = image.DiffIds.Select(d => Hex(d) + "/layer.tar").ToList();
        var entries = new List<(string Name, byte[] Data)> { (Hex(image.Config) + ".json", image.Config) };
        entries.AddRange(image.Tars.Select((tar, i) => (layerPaths[i], tar)));
        entries.Add(("manifest.json", Json(new JsonArray(new JsonObject
        {
            ["Config"] = Hex(image.Config) + ".json",
            ["RepoTags"] = new JsonArray(repository + ":" + tag),
            ["Layers"] = new JsonArray(layerPaths.Select(p => (JsonNode)p!).ToArray()),
        }))));
        entries.Add(("repositories", Json(new JsonObject { [repository] = new JsonObject { [tag] = Hex(image.DiffIds[^1]) } })));
        File.WriteAllBytes(file, Tar(entries.Select(e => Entry(e.Name, e.Data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead))));
    }

    private sealed record Built(byte[] Manifest, byte[] Config, IReadOnlyList<byte[]> Tars, IReadOnlyList<byte[]> Blobs, IReadOnlyList<string> DiffIds)
    {
        public IEnumerable<byte[]> OciBlobs => [Manifest, Config, .. Blobs];
    }

    private static Built Build()
    {
        var busybox = ReadStaticBusybox();
        var applets = Applets();
        const UnixFileMode dirMode = (UnixFileMode)0b111_101_101;
        const UnixFileMode fileMode = (UnixFileMode)0b110_100_100;
        var bottom = new List<TarEntry>
        {
            Dir("bin", dirMode), Entry("bin/busybox", busybox, (UnixFileMode)0b111_101_101),
            Dir("etc", dirMode),
            Entry("etc/passwd", Encoding.ASCII.GetBytes("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"), fileMode),
            Entry("etc/group", Encoding.ASCII.GetBytes("root:x:0:\nnobody:x:65534:\n"), fileMode),
            Dir("root", (UnixFileMode)0b111_000_000),
            Dir("tmp", (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit),
        };
        bottom.AddRange(applets.Where(a => a != "busybox").Select(a => (TarEntry)new UstarTarEntry(TarEntryType.SymbolicLink, "bin/" + a) { LinkName = "busybox", ModificationTime = Epoch, Mode = (UnixFileMode)0b111_111_111 }));
        var middle = new List<TarEntry>
        {
            Dir("etc", dirMode), Entry("etc/motd", "layer two\n"u8.ToArray(), fileMode),
            Dir("var", dirMode), Dir("var/stale", dirMode), Entry("var/stale/old.txt", "old\n"u8.ToArray(), fileMode),
            Dir("srv", dirMode), Dir("srv/www", dirMode), Entry("srv/www/index.html", "hello from gantry busybox\n"u8.ToArray(), fileMode),
        };
        var top = new List<TarEntry>
        {
            Dir("etc", dirMode), Entry("etc/.wh.motd", [], 0),
            Dir("var", dirMode), Dir("var/stale", dirMode), Entry("var/stale/.wh..wh..opq", [], 0), Entry("var/stale/new.txt", "new\n"u8.ToArray(), fileMode),
        };
        var tars = new[] { Tar(bottom), Tar(middle), Tar(top) };
        var blobs = new[] { Gzip(tars[0]), tars[1], tars[2] };
        var diffIds = tars.Select(Digest).ToList();
        var config = Json(new JsonObject
        {
            ["architecture"] = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64",
            ["os"] = "linux",
            ["created"] = Epoch.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["config"] = new JsonObject { ["Env"] = new JsonArray(PathEnv), ["Cmd"] = new JsonArray("sh") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffIds.Select(d => (JsonNode)d!).ToArray()) },
            ["history"] = new JsonArray(new JsonObject { ["created_by"] = "gantry BusyboxImage" }),
        });
        var mediaTypes = new[] { "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar" };
        var manifest = Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = Digest(config), ["size"] = config.Length },
            ["layers"] = new JsonArray(blobs.Select((b, i) => (JsonNode)new JsonObject { ["mediaType"] = mediaTypes[i], ["digest"] = Digest(b), ["size"] = b.Length }).ToArray()),
        });
        return new Built(manifest, config, tars, blobs, diffIds);
    }

    /// <summary>The binary, after checking it has no ELF interpreter: a dynamic busybox would not run inside the image.</summary>
    private static byte[] ReadStaticBusybox()
    {
        if (!File.Exists(BusyboxPath))
            throw new InvalidOperationException($"{BusyboxPath} is missing: node tests need Debian's busybox-static (apt-get install busybox-static, or scripts/install-packages test)");
        var elf = File.ReadAllBytes(BusyboxPath);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2)
            throw new InvalidOperationException($"{BusyboxPath} is not a 64-bit ELF binary");
        var phoff = BitConverter.ToInt64(elf, 0x20);
        var phentsize = BitConverter.ToUInt16(elf, 0x36);
        var phnum = BitConverter.ToUInt16(elf, 0x38);
        for (var i = 0; i < phnum; i++)
        {
            if (BitConverter.ToUInt32(elf, (int)(phoff + i * phentsize)) == 3) // PT_INTERP
                throw new InvalidOperationException($"{BusyboxPath} is dynamically linked: install Debian's busybox-static, not busybox");
        }
        return elf;
    }

    private static List<string> Applets()
    {
        using var process = Process.Start(new ProcessStartInfo(BusyboxPath, "--list") { RedirectStandardOutput = true })!;
        var names = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        process.WaitForExit();
        if (process.ExitCode != 0 || !names.Contains("sh")) throw new InvalidOperationException($"{BusyboxPath} --list did not list its applets");
        return names.Order(StringComparer.Ordinal).ToList();
    }

    private static TarEntry Dir(string name, UnixFileMode mode) => new UstarTarEntry(TarEntryType.Directory, name + "/") { Mode = mode, ModificationTime = Epoch };

    private static TarEntry Entry(string name, byte[] data, UnixFileMode mode) =>
        new UstarTarEntry(TarEntryType.RegularFile, name) { Mode = mode, ModificationTime = Epoch, DataStream = new MemoryStream(data) };

    private static byte[] Tar(IEnumerable<TarEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var entry in entries) writer.WriteEntry(entry);
        }
        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        return buffer.ToArray();
    }

    private static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));

    private static string Digest(byte[] data) => "sha256:" + Hex(data);

    private static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static string Hex(string digest) => digest["sha256:".Length..];
}
