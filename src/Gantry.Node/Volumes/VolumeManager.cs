using System.Collections.Concurrent;
using Gantry.Client;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Volumes;

/// <summary>
/// The kubelet's volume plugins for one node: every pod volume is prepared under
/// <c>{PodsDir}/{uid}/volumes/kubernetes.io~{plugin}/{name}</c> (emptyDir, configMap, secret, downwardAPI, projected),
/// or used in place (hostPath, local and hostPath persistent volumes).
/// </summary>
public sealed partial class VolumeManager : IVolumeManager
{
    private readonly VolumeContext _context;
    private readonly ILogger _logger;
    private readonly IVolumePlugin[] _plugins =
    [
        new EmptyDirVolume(), new HostPathVolume(), new ConfigMapVolume(), new SecretVolume(), new DownwardApiVolume(), new ProjectedVolume(),
        new PersistentVolumeClaimVolume(),
    ];
    // One pod's volumes are set up or torn down by one caller at a time.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _podLocks = new(StringComparer.Ordinal);

    /// <summary>The volumes of the node <paramref name="paths"/> describe, reading objects through <paramref name="client"/>.</summary>
    public VolumeManager(NodePaths paths, IApiClient client, TimeProvider? time = null, ILogger<VolumeManager>? logger = null)
    {
        _context = new VolumeContext(paths, client, time ?? TimeProvider.System);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> SetUpPodVolumesAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        var gate = _podLocks.GetOrAdd(pod.Metadata.Uid, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.Combine(_context.PodDir(pod.Metadata.Uid), "volumes"));
            foreach (var volume in pod.Spec.Volumes ?? [])
            {
                var plugin = _plugins.FirstOrDefault(p => p.Handles(volume))
                    ?? throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume.Name}\" : no volume plugin matched");
                try
                {
                    paths[volume.Name] = await plugin.SetUpAsync(_context, pod, volume, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogSetUpFailed(_logger, volume.Name, pod.Metadata.NamespaceProperty, pod.Metadata.Name, ex);
                    throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume.Name}\" : {ex.Message}", ex);
                }
            }
        }
        finally
        {
            gate.Release();
        }
        return paths;
    }

    /// <inheritdoc />
    public async Task TearDownPodVolumesAsync(string podUid, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(podUid);
        var gate = _podLocks.GetOrAdd(podUid, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var podDir = _context.PodDir(podUid);
            // tmpfs volumes first, deepest first; nothing under the pod directory is persistent volume data.
            var prefix = podDir + "/";
            foreach (var mount in HostMounts.MountPoints().Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).OrderByDescending(m => m.Length))
            {
                HostMounts.Unmount(mount);
            }
            if (Directory.Exists(podDir)) Directory.Delete(podDir, recursive: true);
            _context.Tokens.Forget(podUid);
            LogTornDown(_logger, podUid);
        }
        finally
        {
            gate.Release();
            _podLocks.TryRemove(podUid, out _);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> PodsWithVolumes() =>
        Directory.Exists(_context.Paths.PodsDir) ? Directory.EnumerateDirectories(_context.Paths.PodsDir).Select(d => Path.GetFileName(d)).ToList() : [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "volume {Volume} of pod {Namespace}/{Pod} could not be set up")]
    private static partial void LogSetUpFailed(ILogger logger, string volume, string @namespace, string pod, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "volumes of pod {Uid} torn down")]
    private static partial void LogTornDown(ILogger logger, string uid);
}
