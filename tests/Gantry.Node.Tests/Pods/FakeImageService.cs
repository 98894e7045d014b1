using System.Collections.Concurrent;
using Gantry.Node.Images;

namespace Gantry.Node.Tests.Pods;

/// <summary>An in-memory image store: every reference pulls unless listed in <see cref="FailingPulls"/>.</summary>
internal sealed class FakeImageService : IImageService
{
    private readonly ConcurrentDictionary<string, ImageInfo> _stored = new(StringComparer.Ordinal);

    /// <summary>References whose pulls fail, with the registry's message.</summary>
    public ConcurrentDictionary<string, string> FailingPulls { get; } = new(StringComparer.Ordinal);

    /// <summary>Image configs by reference (default: ENTRYPOINT /bin/sh, CMD -c "sleep 3600").</summary>
    public ConcurrentDictionary<string, ImageConfig> Configs { get; } = new(StringComparer.Ordinal);

    /// <summary>How many pulls were attempted.</summary>
    public int PullAttempts;

    public Task<ImageInfo> EnsureImageAsync(string reference, string pullPolicy, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken)
    {
        if (pullPolicy != "Always" && _stored.TryGetValue(reference, out var present)) return Task.FromResult(present);
        if (pullPolicy == "Never")
            throw new ImagePullException("ErrImageNeverPull", $"Container image \"{reference}\" is not present with pull policy of Never");
        Interlocked.Increment(ref PullAttempts);
        if (FailingPulls.TryGetValue(reference, out var message)) throw new ImagePullException("ErrImagePull", message);
        var image = new ImageInfo
        {
            Id = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(reference))),
            RepoTags = ["docker.io/library/" + reference],
            RepoDigests = ["docker.io/library/" + reference.Split(':')[0] + "@sha256:0123"],
            LayerDirs = [],
            Size = 1234,
            Config = Configs.TryGetValue(reference, out var config) ? config : new ImageConfig { Entrypoint = ["/bin/sh"], Cmd = ["-c", "sleep 3600"] },
        };
        _stored[reference] = image;
        return Task.FromResult(image);
    }

    public ImageInfo? Find(string reference) =>
        _stored.TryGetValue(reference, out var image) ? image : _stored.Values.FirstOrDefault(i => i.Id == reference);

    public IReadOnlyList<ImageInfo> List() => [.. _stored.Values];

    public Task<IReadOnlyList<ImageInfo>> ImportAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task RemoveAsync(string reference, CancellationToken cancellationToken)
    {
        _stored.TryRemove(reference, out _);
        return Task.CompletedTask;
    }

    public Task<long> GarbageCollectAsync(long bytesToFree, IReadOnlySet<string> imageIdsInUse, CancellationToken cancellationToken) => Task.FromResult(0L);
}
