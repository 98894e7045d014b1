using System.Text.Json.Nodes;
using Gantry.Node.Images;
using Gantry.Testing.Images;

namespace Gantry.Node.Tests.Images;

/// <summary>
/// One docker-registry for the pull tests, holding busybox:1 (pushed with skopeo from the builder's layout), busybox:docker
/// (the same image converted by skopeo to Docker schema 2 media types) and
/// busybox:multi (a hand-written OCI index with an arm64 entry before the amd64 one, pushed with skopeo --all).
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private readonly TestDirectory _dir = new();
    private LocalRegistry? _registry;

    internal LocalRegistry Registry => _registry ?? throw new InvalidOperationException("registry not started");

    /// <summary>The id (config digest) of the amd64 image.</summary>
    public string Amd64Id { get; private set; } = "";

    /// <summary>The digest of the multi-arch index.</summary>
    public string IndexDigest { get; private set; } = "";

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        _registry = await LocalRegistry.StartAsync();
        BusyboxImage.WriteOciLayout(_dir["layout"]);
        await _registry.PushAsync(_dir["layout"], "busybox:1");
        await _registry.PushAsync(_dir["layout"], "busybox:docker", format: "v2s2");
        Amd64Id = WriteMultiArchLayout(_dir["layout"]);
        await _registry.PushAsync(_dir["layout"], "busybox:multi", all: true);
        // skopeo may re-encode the index on push: the registry's digest is the one that counts.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{_registry.Host}/v2/busybox/manifests/multi");
        request.Headers.Accept.ParseAdd(MediaTypes.OciIndex);
        using var response = await http.SendAsync(request);
        IndexDigest = response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    public async Task DisposeAsync()
    {
        if (_registry is not null) await _registry.DisposeAsync();
        _registry = null;
        _dir.Dispose();
    }

    /// <summary>Turns the layout into a two-platform index (arm64 first) and returns the amd64 config digest.</summary>
    private static string WriteMultiArchLayout(string layout)
    {
        string Blob(string digest) => Path.Combine(layout, "blobs", "sha256", digest[7..]);
        string Write(JsonNode node)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
            var digest = ImageStore.Digest(bytes);
            File.WriteAllBytes(Blob(digest), bytes);
            return digest;
        }
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var amd64 = index["manifests"]![0]!;
        var manifest = JsonNode.Parse(File.ReadAllBytes(Blob((string)amd64["digest"]!)))!;
        var amd64Id = (string)manifest["config"]!["digest"]!;
        var armConfig = JsonNode.Parse(File.ReadAllBytes(Blob(amd64Id)))!;
        armConfig["architecture"] = "arm64";
        var armConfigDigest = Write(armConfig);
        manifest["config"]!["digest"] = armConfigDigest;
        manifest["config"]!["size"] = new FileInfo(Blob(armConfigDigest)).Length;
        var armManifest = Write(manifest);
        var entries = new JsonArray(
            new JsonObject { ["mediaType"] = MediaTypes.OciManifest, ["digest"] = armManifest, ["size"] = new FileInfo(Blob(armManifest)).Length, ["platform"] = new JsonObject { ["architecture"] = "arm64", ["os"] = "linux" } },
            new JsonObject { ["mediaType"] = MediaTypes.OciManifest, ["digest"] = (string)amd64["digest"]!, ["size"] = (long)amd64["size"]!, ["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" } });
        var indexDigest = Write(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = entries });
        File.WriteAllText(Path.Combine(layout, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject { ["mediaType"] = MediaTypes.OciIndex, ["digest"] = indexDigest, ["size"] = new FileInfo(Blob(indexDigest)).Length }),
        }.ToJsonString());
        return amd64Id;
    }
}
