using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Volumes;

/// <summary>
/// The node side of dynamic local storage (k3s's local-path provisioner): for each claim of a StorageClass whose
/// provisioner is <see cref="ProvisionerName"/> and that the scheduler placed on this node (annotation
/// volume.kubernetes.io/selected-node), it makes a directory under <see cref="NodePaths.LocalVolumesDir"/> and a
/// <c>local</c> PersistentVolume pinned to this node and pre-bound to the claim (the binder completes the binding).
/// A released volume with reclaim policy Delete loses its directory, then its PersistentVolume.
/// </summary>
public sealed partial class LocalPathProvisioner : IAsyncDisposable
{
    /// <summary>The StorageClass provisioner this node serves.</summary>
    public const string ProvisionerName = "gantry.io/local-path";

    private const string SelectedNodeAnnotation = "volume.kubernetes.io/selected-node";
    private const string ProvisionedByAnnotation = "pv.kubernetes.io/provisioned-by";
    private const string DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
    private const string HostnameLabel = "kubernetes.io/hostname";
    private const string VolumeKeyPrefix = "pv:";
    private readonly IApiClient _client;
    private readonly NodePaths _paths;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly SharedInformerFactory _informers;
    private readonly Informer<V1PersistentVolumeClaim> _claims;
    private readonly Informer<V1PersistentVolume> _volumes;
    private readonly Informer<V1StorageClass> _classes;
    private readonly RateLimitingQueue<string> _queue;
    private readonly EventRecorder _recorder;

    /// <summary>A provisioner for the node <paramref name="paths"/> describe.</summary>
    public LocalPathProvisioner(IApiClient client, NodePaths paths, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _client = client;
        _paths = paths;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<LocalPathProvisioner>();
        _informers = new SharedInformerFactory(client, time: time, loggers: _loggers);
        _claims = _informers.For<V1PersistentVolumeClaim>();
        _volumes = _informers.For<V1PersistentVolume>();
        _classes = _informers.For<V1StorageClass>();
        _queue = new RateLimitingQueue<string>(time: time);
        _recorder = new EventRecorder(client, $"{ProvisionerName}_{paths.NodeName}", paths.NodeName, time, _loggers);
        _claims.AddEventHandler(onAdd: c => _queue.Add(ObjectKey.Of(c)), onUpdate: (_, c) => _queue.Add(ObjectKey.Of(c)));
        _volumes.AddEventHandler(onAdd: v => _queue.Add(VolumeKeyPrefix + v.Name()), onUpdate: (_, v) => _queue.Add(VolumeKeyPrefix + v.Name()));
    }

    /// <summary>Whether the volume was provisioned by this node's provisioner (its directory is ours to create and delete).</summary>
    public static bool IsOwnVolume(V1PersistentVolume volume, NodePaths paths) =>
        volume.Metadata.Annotations?.TryGetValue(ProvisionedByAnnotation, out var by) == true && by == ProvisionerName &&
        volume.Spec?.Local?.Path is { } path && path.StartsWith(paths.LocalVolumesDir + "/", StringComparison.Ordinal) &&
        volume.Spec.NodeAffinity?.Required?.NodeSelectorTerms?.Any(t => t.MatchExpressions?.Any(e =>
            e.Key == HostnameLabel && e.OperatorProperty == "In" && e.Values?.Contains(paths.NodeName) == true) == true) == true;

    /// <summary>Watches claims and volumes until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _informers.Start(cancellationToken);
        await _informers.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false);
        await new ControllerRunner<string>("local-path-provisioner", _queue, SyncAsync, _loggers).RunAsync(1, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Dispose();
        await _informers.DisposeAsync().ConfigureAwait(false);
        await _recorder.DisposeAsync().ConfigureAwait(false);
    }

    private Task SyncAsync(string key, CancellationToken cancellationToken) =>
        key.StartsWith(VolumeKeyPrefix, StringComparison.Ordinal)
            ? SyncVolumeAsync(key[VolumeKeyPrefix.Length..], cancellationToken)
            : SyncClaimAsync(key, cancellationToken);

    private async Task SyncClaimAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var claim = _claims.Get(ns, name);
        if (claim is null || claim.Metadata.DeletionTimestamp is not null || !string.IsNullOrEmpty(claim.Spec?.VolumeName)) return;
        if (claim.Metadata.Annotations?.TryGetValue(SelectedNodeAnnotation, out var node) != true || node != _paths.NodeName) return;
        var storageClass = ClassOf(claim);
        if (storageClass?.Provisioner != ProvisionerName) return;
        var volumeName = "pvc-" + claim.Metadata.Uid;
        if (_volumes.Get(null, volumeName) is not null) return;

        var dir = Path.Combine(_paths.LocalVolumesDir, $"{volumeName}_{claim.Metadata.NamespaceProperty}_{claim.Metadata.Name}");
        _recorder.Normal(claim, "Provisioning", $"External provisioner is provisioning volume for claim \"{key}\"");
        Directory.CreateDirectory(dir);
        // Any container user must be able to write its volume (the local-path provisioner's 0777).
        File.SetUnixFileMode(dir, (UnixFileMode)0x1FF);
        try
        {
            await _client.For<V1PersistentVolume>().CreateAsync(NewVolume(claim, storageClass, volumeName, dir), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ApiClientException ex) when (ex.IsAlreadyExists)
        {
            return;
        }
        LogProvisioned(_logger, volumeName, key, dir);
        _recorder.Normal(claim, "ProvisioningSucceeded", $"Successfully provisioned volume {volumeName}");
    }

    private async Task SyncVolumeAsync(string name, CancellationToken cancellationToken)
    {
        var volume = _volumes.Get(null, name);
        if (volume is null || !IsOwnVolume(volume, _paths)) return;
        if (volume.Status?.Phase != "Released" || volume.Spec.PersistentVolumeReclaimPolicy != "Delete" || volume.Metadata.DeletionTimestamp is not null) return;
        var dir = volume.Spec.Local.Path;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        await _client.For<V1PersistentVolume>().DeleteAsync(null, name, new DeleteOptions { PreconditionUid = volume.Metadata.Uid }, cancellationToken)
            .ConfigureAwait(false);
        LogDeleted(_logger, name, dir);
    }

    /// <summary>The claim's class, or the default class when it names none (what the DefaultStorageClass admission would set).</summary>
    private V1StorageClass? ClassOf(V1PersistentVolumeClaim claim) =>
        string.IsNullOrEmpty(claim.Spec?.StorageClassName)
            ? _classes.List().FirstOrDefault(c => c.Metadata.Annotations?.TryGetValue(DefaultClassAnnotation, out var d) == true && d == "true")
            : _classes.Get(null, claim.Spec.StorageClassName);

    private V1PersistentVolume NewVolume(V1PersistentVolumeClaim claim, V1StorageClass storageClass, string volumeName, string dir) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolume",
        Metadata = new V1ObjectMeta
        {
            Name = volumeName,
            Annotations = new Dictionary<string, string> { [ProvisionedByAnnotation] = ProvisionerName },
        },
        Spec = new V1PersistentVolumeSpec
        {
            Capacity = claim.Spec.Resources?.Requests?.TryGetValue("storage", out var size) == true
                ? new Dictionary<string, ResourceQuantity> { ["storage"] = size }
                : null,
            AccessModes = claim.Spec.AccessModes,
            VolumeMode = claim.Spec.VolumeMode ?? "Filesystem",
            PersistentVolumeReclaimPolicy = storageClass.ReclaimPolicy ?? "Delete",
            StorageClassName = storageClass.Metadata.Name,
            MountOptions = storageClass.MountOptions,
            ClaimRef = new V1ObjectReference
            {
                ApiVersion = "v1", Kind = "PersistentVolumeClaim", NamespaceProperty = claim.Metadata.NamespaceProperty, Name = claim.Metadata.Name,
                Uid = claim.Metadata.Uid, ResourceVersion = claim.Metadata.ResourceVersion,
            },
            Local = new V1LocalVolumeSource { Path = dir },
            NodeAffinity = new V1VolumeNodeAffinity
            {
                Required = new V1NodeSelector
                {
                    NodeSelectorTerms =
                    [
                        new V1NodeSelectorTerm
                        {
                            MatchExpressions = [new V1NodeSelectorRequirement { Key = HostnameLabel, OperatorProperty = "In", Values = [_paths.NodeName] }],
                        },
                    ],
                },
            },
        },
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "provisioned volume {Volume} for claim {Claim} at {Path}")]
    private static partial void LogProvisioned(ILogger logger, string volume, string claim, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "deleted released volume {Volume} and its directory {Path}")]
    private static partial void LogDeleted(ILogger logger, string volume, string path);
}
