using System.Net;

namespace Gantry.Node.Images;

/// <summary>
/// Resolves a reference against a Docker Registry HTTP API v2 / OCI distribution registry: the manifest (through a
/// manifest list or OCI index to this node's platform), the config, and layers fetched on demand with digest checks.
/// </summary>
internal sealed class RegistryClient(HttpClient http, ImageStore store, ImageServiceOptions options)
{
    /// <summary>The image <paramref name="reference"/> names, with layers not yet downloaded.</summary>
    public async Task<PendingImage> ResolveAsync(ImageReference reference, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken)
    {
        var baseUri = new Uri($"{(IsPlainHttp(reference.Domain) ? "http" : "https")}://{reference.RegistryHost}/v2/{reference.Path}/");
        var auth = new RegistryAuthenticator(http, FindCredential(credentials, reference));
        var (top, mediaType) = await GetManifestAsync(auth, baseUri, reference.ManifestReference, reference, cancellationToken);
        var topDigest = ImageStore.Digest(top);
        if (reference.Digest is not null && topDigest != reference.Digest)
            throw new RegistryException($"manifest digest {topDigest} does not match the requested {reference.Digest}");
        var blobs = new List<byte[]> { top };
        var manifest = ManifestDocument.Parse(top);
        if (MediaTypes.IsIndex(mediaType) || manifest.Manifests is not null)
        {
            var chosen = PlatformMatcher.Choose(manifest.Manifests ?? []);
            var (bytes, _) = await GetManifestAsync(auth, baseUri, chosen.Digest, reference, cancellationToken);
            if (ImageStore.Digest(bytes) != chosen.Digest) throw new RegistryException($"manifest {chosen.Digest} does not match its digest");
            blobs.Add(bytes);
            manifest = ManifestDocument.Parse(bytes);
        }
        if (manifest.SchemaVersion == 1 || manifest.Config is null)
            throw new RegistryException($"{reference}: Docker image format schema 1 is not supported; push the image again with a current tool");
        var config = await GetBlobBytesAsync(auth, baseUri, manifest.Config.Digest, cancellationToken);
        var diffIds = ConfigDocument.Parse(config).DiffIds;
        var layerDescriptors = manifest.Layers ?? [];
        if (diffIds.Count != layerDescriptors.Count)
            throw new RegistryException($"manifest lists {layerDescriptors.Count} layers but the config {diffIds.Count} diff ids");
        var layers = diffIds.Select((diffId, i) => new PendingLayer(diffId, async ct =>
        {
            using var response = await GetBlobAsync(auth, baseUri, layerDescriptors[i].Digest, ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await store.DownloadVerifiedAsync(body, layerDescriptors[i].Digest, ct);
        }, Fetched: true)).ToList();
        return new PendingImage(topDigest, blobs, config, layers, [reference]);
    }

    /// <summary>True for registries spoken to over plain http: loopback ones and the configured insecure registries.</summary>
    private bool IsPlainHttp(string domain)
    {
        var host = domain.StartsWith('[') ? domain[1..domain.IndexOf(']')] : domain.Split(':')[0];
        return host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address))
            || options.InsecureRegistries.Contains(domain) || options.InsecureRegistries.Contains(host);
    }

    /// <summary>The credential whose registry key matches the reference's host (and path prefix, if the key has one).</summary>
    internal static RegistryCredential? FindCredential(IReadOnlyList<RegistryCredential> credentials, ImageReference reference)
    {
        foreach (var credential in credentials)
        {
            var key = credential.Registry;
            var scheme = key.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0) key = key[(scheme + 3)..];
            var slash = key.IndexOf('/');
            var host = (slash < 0 ? key : key[..slash]).ToLowerInvariant();
            var path = slash < 0 ? "" : key[(slash + 1)..].TrimEnd('/');
            if (host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com")
            {
                host = ImageReference.DockerHub;
                path = ""; // https://index.docker.io/v1/ is the whole of Docker Hub.
            }
            if (host == reference.Domain && (path.Length == 0 || reference.Path == path || reference.Path.StartsWith(path + "/", StringComparison.Ordinal)))
                return credential;
        }
        return null;
    }

    private async Task<(byte[] Body, string? MediaType)> GetManifestAsync(RegistryAuthenticator auth, Uri baseUri, string tagOrDigest, ImageReference reference, CancellationToken cancellationToken)
    {
        var uri = new Uri(baseUri, "manifests/" + tagOrDigest);
        using var response = await auth.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd(MediaTypes.Accept);
            return request;
        }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new RegistryException($"failed to resolve reference \"{reference}\": {reference}: not found");
        EnsureSuccess(response, uri);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is MediaTypes.DockerSchema1 or MediaTypes.DockerSchema1Signed)
            throw new RegistryException($"{reference}: Docker image format schema 1 is not supported; push the image again with a current tool");
        return (body, mediaType);
    }

    private async Task<byte[]> GetBlobBytesAsync(RegistryAuthenticator auth, Uri baseUri, string digest, CancellationToken cancellationToken)
    {
        using var response = await GetBlobAsync(auth, baseUri, digest, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return ImageStore.Digest(bytes) == digest ? bytes : throw new RegistryException($"blob {digest} does not match its digest");
    }

    private static async Task<HttpResponseMessage> GetBlobAsync(RegistryAuthenticator auth, Uri baseUri, string digest, CancellationToken cancellationToken)
    {
        var uri = new Uri(baseUri, "blobs/" + digest);
        var response = await auth.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken);
        try
        {
            EnsureSuccess(response, uri);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static void EnsureSuccess(HttpResponseMessage response, Uri uri)
    {
        if (!response.IsSuccessStatusCode)
            throw new RegistryException($"unexpected status from GET request to {uri}: {(int)response.StatusCode} {response.ReasonPhrase}");
    }
}
