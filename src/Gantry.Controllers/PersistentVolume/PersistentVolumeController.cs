using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.PersistentVolume;

/// <summary>
/// kube-controller-manager's persistentvolume-binder (pkg/controller/volume/persistentvolume): binds claims to the
/// smallest matching Available volume (or the one pre-bound either way), keeps the phases of both (volume
/// Available/Bound/Released/Failed, claim Pending/Bound/Lost), hands claims of provisioning classes to their external
/// provisioner, leaves claims of WaitForFirstConsumer classes to the scheduler, and reclaims volumes whose claim is gone.
/// </summary>
/// <remarks>
/// The provisioner contract (Kubernetes' external provisioner protocol): for a claim annotated
/// <c>volume.kubernetes.io/storage-provisioner: &lt;name&gt;</c> (and, for WaitForFirstConsumer classes,
/// <c>volume.kubernetes.io/selected-node</c>), the provisioner creates a volume whose claimRef names the claim (with its
/// uid), annotated <c>pv.kubernetes.io/provisioned-by: &lt;name&gt;</c>, with the class's reclaim policy; this
/// controller completes the binding. When the claim is deleted this controller only marks such a volume Released; a
/// provisioner that sees its own volume Released with reclaimPolicy Delete deletes the data and then the
/// PersistentVolume object itself. Volumes no provisioner made (no annotation) and reclaimPolicy Delete have no deleter
/// here and are marked Failed, as Kubernetes does when no volume plugin can delete them.
/// </remarks>
public sealed partial class PersistentVolumeController : IController
{
    /// <summary>Index of pods by the claims they use ("ns/claim").</summary>
    private const string ClaimIndex = "persistentvolume-controller-claims";

    private readonly ControllerContext _context;
    private readonly PersistentVolumeOptions _options;
    private readonly ILogger _logger;
    private readonly EventRecorder _recorder;
    private readonly Informer<V1PersistentVolume> _volumes;
    private readonly Informer<V1PersistentVolumeClaim> _claims;
    private readonly Informer<V1StorageClass> _classes;
    private readonly Informer<V1Pod> _pods;
    private readonly RateLimitingQueue<string> _volumeQueue;
    private readonly RateLimitingQueue<string> _claimQueue;

    /// <summary>Registers the informers (volumes, claims, classes, pods) and handlers the binder needs.</summary>
    public PersistentVolumeController(ControllerContext context, PersistentVolumeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _options = options ?? new PersistentVolumeOptions();
        _logger = context.Loggers.CreateLogger<PersistentVolumeController>();
        _recorder = context.Recorder(Name);
        _volumeQueue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _claimQueue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _volumes = context.Informers.For<V1PersistentVolume>();
        _claims = context.Informers.For<V1PersistentVolumeClaim>();
        _classes = context.Informers.For<V1StorageClass>();
        _pods = context.Informers.For<V1Pod>();
        _pods.AddIndexer(ClaimIndex, ClaimsOf);
        _volumes.AddEventHandler(onAdd: v => _volumeQueue.Add(v.Metadata.Name), onUpdate: (_, v) => _volumeQueue.Add(v.Metadata.Name),
            onDelete: OnVolumeDeleted);
        _claims.AddEventHandler(onAdd: c => _claimQueue.Add(ObjectKey.Of(c)), onUpdate: (_, c) => _claimQueue.Add(ObjectKey.Of(c)),
            onDelete: OnClaimDeleted);
    }

    /// <inheritdoc />
    public string Name => "persistentvolume-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var recorder = _recorder;
        using var volumeQueue = _volumeQueue;
        using var claimQueue = _claimQueue;
        if (_options.CreateDefaultStorageClass) await EnsureDefaultStorageClassAsync(cancellationToken).ConfigureAwait(false);
        // One worker per queue, as in Kubernetes: two claims never race for the same volume inside this controller.
        await Task.WhenAll(
            new ControllerRunner<string>("persistentvolume-volumes", _volumeQueue, SyncVolumeAsync, _context.Loggers).RunAsync(1, cancellationToken),
            new ControllerRunner<string>("persistentvolume-claims", _claimQueue, SyncClaimAsync, _context.Loggers).RunAsync(1, cancellationToken),
            ResyncAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Creates the local-path class when no class of that name exists (k3s ships its default class the same way).</summary>
    private async Task EnsureDefaultStorageClassAsync(CancellationToken cancellationToken)
    {
        if (_classes.Get(null, LocalPathStorageClass.Name) is not null) return;
        try
        {
            await _context.Client.For<V1StorageClass>().CreateAsync(LocalPathStorageClass.Create(), cancellationToken: cancellationToken).ConfigureAwait(false);
            LogDefaultClassCreated(_logger, LocalPathStorageClass.Name);
        }
        catch (ApiClientException ex) when (ex.IsAlreadyExists)
        {
        }
    }

    /// <summary>Every sync period all volumes and claims are synced again: the binder is level-triggered, like Kubernetes' resync.</summary>
    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.SyncPeriod, _context.Time, cancellationToken).ConfigureAwait(false);
                foreach (var volume in _volumes.List()) _volumeQueue.Add(volume.Metadata.Name);
                foreach (var claim in _claims.List()) _claimQueue.Add(ObjectKey.Of(claim));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void OnVolumeDeleted(V1PersistentVolume volume)
    {
        // The claim of a deleted volume becomes Lost.
        if (volume.Spec?.ClaimRef is { } reference) _claimQueue.Add(ObjectKey.Of(reference.NamespaceProperty, reference.Name));
    }

    private void OnClaimDeleted(V1PersistentVolumeClaim claim)
    {
        // The volume of a deleted claim is released (and reclaimed).
        if (!string.IsNullOrEmpty(claim.Spec?.VolumeName)) _volumeQueue.Add(claim.Spec.VolumeName);
    }

    private static IEnumerable<string> ClaimsOf(V1Pod pod) =>
        (pod.Spec?.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null)
            .Select(v => ObjectKey.Of(pod.Metadata.NamespaceProperty, v.PersistentVolumeClaim.ClaimName));

    private static string ClaimKey(V1PersistentVolumeClaim claim) => ObjectKey.Of(claim);

    [LoggerMessage(Level = LogLevel.Information, Message = "created the default StorageClass {Name}")]
    private static partial void LogDefaultClassCreated(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "claim {Claim} bound to volume {Volume}")]
    private static partial void LogBound(ILogger logger, string claim, string volume);

    [LoggerMessage(Level = LogLevel.Information, Message = "volume {Volume} is released and reclaim policy {Policy} will be executed")]
    private static partial void LogReleased(ILogger logger, string volume, string? policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "volume {Volume}: external deleter {Provisioner} requested, leaving the volume to it")]
    private static partial void LogExternalDeleter(ILogger logger, string volume, string provisioner);
}
