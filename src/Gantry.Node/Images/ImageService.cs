using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Images;

/// <summary>
/// The node's image service (what containerd's CRI image service is to the kubelet): a content-addressed store under
/// <see cref="NodePaths.ImageStoreDir"/>, registry pulls with the kubelet's pull-policy semantics and reasons, archive
/// imports (also automatic, from <see cref="NodePaths.ImageDropDir"/>), removal and least-recently-used GC.
/// Pulls and imports run one at a time (the kubelet's default serialized pulls), also across processes on one data dir.
/// </summary>
public sealed partial class ImageService : IImageService, IDisposable
{
    private readonly NodePaths _paths;
    private readonly ImageServiceOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ImageStore _store;
    private readonly HttpClient _http;
    private readonly RegistryClient _registry;

    /// <summary>The image service of the node <paramref name="paths"/> describe.</summary>
    /// <param name="paths">Where the store and the drop directory are.</param>
    /// <param name="options">Insecure registries and the drop directory's poll interval (defaults when null).</param>
    /// <param name="logger">Logs imports and pulls.</param>
    /// <param name="time">Clock for last-use times and polling (system clock when null).</param>
    /// <param name="httpHandler">Transport for registries (a fresh SocketsHttpHandler when null).</param>
    public ImageService(NodePaths paths, ImageServiceOptions? options = null, ILogger<ImageService>? logger = null, TimeProvider? time = null, HttpMessageHandler? httpHandler = null)
    {
        _paths = paths;
        _options = options ?? new ImageServiceOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _store = new ImageStore(paths.ImageStoreDir);
        _http = new HttpClient(httpHandler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };
        _registry = new RegistryClient(_http, _store, _options);
    }

    /// <inheritdoc />
    public async Task<ImageInfo> EnsureImageAsync(string reference, string pullPolicy, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken)
    {
        if (!ImageReference.TryParse(reference, out var parsed, out var error))
            throw new ImagePullException("InvalidImageName", $"Failed to apply default image tag \"{reference}\": couldn't parse image name \"{reference}\": {error}");
        var named = parsed.WithDefaultTag();
        // The API server defaults an empty policy this way; done again here for callers that skip defaulting.
        var policy = string.IsNullOrEmpty(pullPolicy) ? (named.Tag == "latest" && named.Digest is null ? "Always" : "IfNotPresent") : pullPolicy;
        var present = FindStored(named.ToString());
        StoredImage image;
        switch (policy)
        {
            case "Never":
                image = present ?? throw new ImagePullException("ErrImageNeverPull", $"Container image \"{reference}\" is not present with pull policy of Never");
                break;
            case "IfNotPresent" when present is not null:
                image = present;
                break;
            case "IfNotPresent" or "Always":
                image = await PullAsync(named, policy == "IfNotPresent", credentials, cancellationToken);
                break;
            default:
                throw new ImagePullException("ErrImagePull", $"unknown imagePullPolicy \"{pullPolicy}\" (Always, IfNotPresent or Never)");
        }
        _store.Touch(image.Id, _time.GetUtcNow());
        return ToInfo(image);
    }

    /// <inheritdoc />
    public ImageInfo? Find(string reference) => FindStored(reference) is { } image ? ToInfo(image) : null;

    /// <inheritdoc />
    public IReadOnlyList<ImageInfo> List() => _store.Images.Select(ToInfo).ToList();

    /// <inheritdoc />
    public async Task<IReadOnlyList<ImageInfo>> ImportAsync(string path, CancellationToken cancellationToken)
    {
        using var writer = await _store.LockAsync(cancellationToken);
        var extractDir = _store.NewTempPath();
        try
        {
            var result = new List<ImageInfo>();
            foreach (var pending in await ArchiveReader.ReadAsync(Path.GetFullPath(path), extractDir, cancellationToken))
            {
                var image = await _store.CommitAsync(pending, _time.GetUtcNow(), cancellationToken);
                LogImported(path, image.Id, string.Join(", ", image.RepoTags));
                result.Add(ToInfo(image));
            }
            return result;
        }
        finally
        {
            if (Directory.Exists(extractDir)) Directory.Delete(extractDir, recursive: true);
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string reference, CancellationToken cancellationToken)
    {
        using var writer = await _store.LockAsync(cancellationToken);
        // CRI RemoveImage: the whole image goes, whichever of its names was given; a missing image is not an error.
        if (FindStored(reference) is { } image)
        {
            await _store.RemoveAsync(image.Id, cancellationToken);
            LogRemoved(image.Id, reference);
        }
    }

    /// <inheritdoc />
    public async Task<long> GarbageCollectAsync(long bytesToFree, IReadOnlySet<string> imageIdsInUse, CancellationToken cancellationToken)
    {
        using var writer = await _store.LockAsync(cancellationToken);
        long freed = 0;
        foreach (var image in _store.Images.Where(i => !imageIdsInUse.Contains(i.Id)).OrderBy(i => i.LastUsed).ToList())
        {
            if (freed >= bytesToFree) break;
            freed += await _store.RemoveAsync(image.Id, cancellationToken);
            LogCollected(image.Id, image.LastUsed);
        }
        return freed;
    }

    /// <summary>
    /// Imports every archive in <see cref="NodePaths.ImageDropDir"/> now and each new or changed one as it appears (once
    /// its size stops changing), as k3s imports agent/images; runs until cancelled. A failed archive is logged and
    /// retried only when it changes.
    /// </summary>
    public async Task WatchDropDirAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_paths.ImageDropDir);
        var done = new Dictionary<string, (long, DateTime)>();
        var pending = new Dictionary<string, (long, DateTime)>();
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var file in Directory.EnumerateFiles(_paths.ImageDropDir).Where(IsArchiveName).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                var stamp = (info.Length, info.LastWriteTimeUtc);
                if (done.TryGetValue(file, out var seen) && seen == stamp) continue;
                // Files present at start are complete; a new one must look the same on two polls (still being copied otherwise).
                if (!first && (!pending.TryGetValue(file, out var last) || last != stamp))
                {
                    pending[file] = stamp;
                    continue;
                }
                pending.Remove(file);
                done[file] = stamp;
                try
                {
                    await ImportAsync(file, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogImportFailed(e, file);
                }
            }
            first = false;
            try
            {
                await Task.Delay(_options.DropDirPollInterval, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static bool IsArchiveName(string file) =>
        file.EndsWith(".tar", StringComparison.Ordinal) || file.EndsWith(".tar.gz", StringComparison.Ordinal) || file.EndsWith(".tgz", StringComparison.Ordinal);

    private async Task<StoredImage> PullAsync(ImageReference reference, bool ifNotPresent, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken)
    {
        using var writer = await _store.LockAsync(cancellationToken);
        // Another pod's pull of the same image may have finished while this one waited for the lock.
        if (ifNotPresent && FindStored(reference.ToString()) is { } pulled) return pulled;
        try
        {
            var pending = await _registry.ResolveAsync(reference, credentials, cancellationToken);
            var image = await _store.CommitAsync(pending, _time.GetUtcNow(), cancellationToken);
            LogPulled(reference.ToString(), image.Id);
            return image;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever went wrong (registry, network, bad content, disk), the pod sees one ErrImagePull and retries with backoff.
            var detail = e is HttpRequestException ? $"failed to do request: {e.Message}" : e.Message;
            throw new ImagePullException("ErrImagePull", $"failed to pull and unpack image \"{reference}\": {detail}", e);
        }
    }

    private StoredImage? FindStored(string reference)
    {
        var images = _store.Images;
        if (ImageReference.LooksLikeId(reference, out var id))
        {
            var byId = images.Where(i => i.Id.StartsWith(id, StringComparison.Ordinal)).ToList();
            if (byId.Count == 1) return byId[0];
        }
        if (!ImageReference.TryParse(reference, out var parsed, out _)) return null;
        if (parsed.Digest is not null)
        {
            var wanted = parsed.Repository + "@" + parsed.Digest;
            return images.FirstOrDefault(i => i.RepoDigests.Contains(wanted));
        }
        var name = parsed.WithDefaultTag().ToString();
        return images.FirstOrDefault(i => i.RepoTags.Contains(name));
    }

    private ImageInfo ToInfo(StoredImage image) => new()
    {
        Id = image.Id,
        RepoTags = image.RepoTags,
        RepoDigests = image.RepoDigests,
        LayerDirs = image.Layers.Select(l => _store.LayerDir(l.DiffId)).ToList(),
        Size = image.Size,
        Config = image.Config,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported image {Id} ({Names}) from {Path}")]
    private partial void LogImported(string path, string id, string names);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled image {Reference} ({Id})")]
    private partial void LogPulled(string reference, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed image {Id} ({Reference})")]
    private partial void LogRemoved(string id, string reference);

    [LoggerMessage(Level = LogLevel.Information, Message = "Garbage-collected image {Id} (last used {LastUsed})")]
    private partial void LogCollected(string id, DateTimeOffset lastUsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not import image archive {Path}")]
    private partial void LogImportFailed(Exception exception, string path);
}
