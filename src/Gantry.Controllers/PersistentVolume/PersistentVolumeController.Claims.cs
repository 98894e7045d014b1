using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Volumes;
using k8s.Models;

namespace Gantry.Controllers.PersistentVolume;

/// <summary>Claim sync: Kubernetes' syncClaim, syncUnboundClaim, syncBoundClaim and the hand-off to external provisioners.</summary>
public sealed partial class PersistentVolumeController
{
    private const string ExternalProvisioningMessage =
        "Waiting for a volume to be created either by the external provisioner '{0}' or manually by the system administrator. " +
        "If volume creation is delayed, please verify that the provisioner is running and correctly registered.";

    private async Task SyncClaimAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var claim = _claims.Get(ns, name);
        if (claim is null) return;
        if (HasAnnotation(claim.Metadata, VolumeAnnotations.BindCompleted)) await SyncBoundClaimAsync(claim, cancellationToken).ConfigureAwait(false);
        else await SyncUnboundClaimAsync(claim, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A claim that has not completed binding (Pending).</summary>
    private async Task SyncUnboundClaimAsync(V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(claim.Spec.VolumeName))
        {
            // The user did not ask for a particular volume.
            var delayBinding = IsDelayBinding(claim);
            var volume = VolumeIndex.FindBestMatchForClaim(claim, _volumes.List(), delayBinding);
            if (volume is not null)
            {
                await BindAsync(volume, claim, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (delayBinding && !HasAnnotation(claim.Metadata, VolumeAnnotations.SelectedNode))
            {
                // No pod using the claim has been scheduled yet: the scheduler picks the node, then the volume.
                RecordWaitingForConsumer(claim);
            }
            else if (VolumeMatching.ClaimClass(claim).Length > 0)
            {
                await ProvisionAsync(claim, cancellationToken).ConfigureAwait(false);
                return;
            }
            else
            {
                _recorder.Normal(claim, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
            }
            await UpdateClaimStatusAsync(claim, "Pending", null, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The user asked for a particular volume (spec.volumeName).
        var requested = _volumes.Get(null, claim.Spec.VolumeName);
        if (requested is null)
        {
            // Maybe it is still to be created: stay Pending and look again on the next sync.
            await UpdateClaimStatusAsync(claim, "Pending", null, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (requested.Spec.ClaimRef is null)
        {
            if (VolumeMismatch(requested, claim) is { } problem)
            {
                _recorder.Warning(claim, "VolumeMismatch", $"Cannot bind to requested volume \"{requested.Metadata.Name}\": {problem}");
                await UpdateClaimStatusAsync(claim, "Pending", null, cancellationToken).ConfigureAwait(false);
                return;
            }
            await BindAsync(requested, claim, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (VolumeMatching.IsBoundToClaim(requested, claim))
        {
            // Pre-bound both ways (or bound by the scheduler): finish the binding.
            await BindAsync(requested, claim, cancellationToken).ConfigureAwait(false);
            return;
        }
        _recorder.Warning(claim, "FailedBinding", $"volume \"{requested.Metadata.Name}\" already bound to a different claim.");
        if (HasAnnotation(claim.Metadata, VolumeAnnotations.BoundByController))
        {
            // Only possible when someone removed bind-completed from a claim the controller bound.
            throw new InvalidOperationException($"invalid binding of claim \"{ClaimKey(claim)}\" to volume \"{claim.Spec.VolumeName}\": " +
                $"volume already claimed by \"{requested.Spec.ClaimRef.NamespaceProperty}/{requested.Spec.ClaimRef.Name}\"");
        }
        await UpdateClaimStatusAsync(claim, "Pending", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A claim that was bound before (bind-completed): keep it Bound, or Lost when its volume is gone or taken.</summary>
    private async Task SyncBoundClaimAsync(V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(claim.Spec.VolumeName))
        {
            await UpdateClaimStatusWithEventAsync(claim, "Lost", "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
                cancellationToken).ConfigureAwait(false);
            return;
        }
        var volume = _volumes.Get(null, claim.Spec.VolumeName);
        if (volume is null)
        {
            await UpdateClaimStatusWithEventAsync(claim, "Lost", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
                cancellationToken).ConfigureAwait(false);
        }
        else if (volume.Spec.ClaimRef is null || volume.Spec.ClaimRef.Uid == claim.Metadata.Uid)
        {
            // Either the volume came unbound (or its update has not arrived yet) or all is well: binding again fixes
            // whatever is missing and writes nothing otherwise.
            await BindAsync(volume, claim, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await UpdateClaimStatusWithEventAsync(claim, "Lost", "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly",
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Hands the claim to its class's external provisioner: the provisioner annotations tell it to start; the volume it
    /// creates (pre-bound to the claim) is bound by a later sync.
    /// </summary>
    private async Task ProvisionAsync(V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        var className = VolumeMatching.ClaimClass(claim);
        var storageClass = _classes.Get(null, className);
        if (storageClass is null)
        {
            _recorder.Warning(claim, "ProvisioningFailed", $"storageclass.storage.k8s.io \"{className}\" not found");
            return;
        }
        var provisioner = storageClass.Provisioner;
        // In-tree provisioner names (kubernetes.io/...) need a volume plugin, and Gantry has none.
        if (provisioner.StartsWith("kubernetes.io/", StringComparison.Ordinal))
        {
            _recorder.Warning(claim, "ProvisioningFailed", $"no volume plugin matched name: {provisioner}");
            return;
        }
        if (Annotation(claim.Metadata, VolumeAnnotations.BetaStorageProvisioner) != provisioner)
        {
            var annotated = ObjectCopy.DeepCopy(claim);
            annotated.Metadata.Annotations ??= new Dictionary<string, string>();
            annotated.Metadata.Annotations[VolumeAnnotations.BetaStorageProvisioner] = provisioner;
            annotated.Metadata.Annotations[VolumeAnnotations.StorageProvisioner] = provisioner;
            try
            {
                claim = await _context.Client.For<V1PersistentVolumeClaim>().UpdateAsync(annotated, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiClientException ex)
            {
                _recorder.Warning(claim, "ProvisioningFailed", $"Error saving claim: {ex.Message}");
                throw;
            }
        }
        _recorder.Normal(claim, "ExternalProvisioning", string.Format(System.Globalization.CultureInfo.InvariantCulture, ExternalProvisioningMessage, provisioner));
    }

    /// <summary>WaitForFirstConsumer, or WaitForPodScheduled naming the unscheduled pods that use the claim.</summary>
    private void RecordWaitingForConsumer(V1PersistentVolumeClaim claim)
    {
        var pods = _pods.ByIndex(ClaimIndex, ClaimKey(claim)).Where(p => string.IsNullOrEmpty(p.Spec?.NodeName)).Select(p => p.Metadata.Name)
            .Order(StringComparer.Ordinal).ToList();
        switch (pods.Count)
        {
            case 0:
                _recorder.Normal(claim, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
                break;
            case 1:
                _recorder.Normal(claim, "WaitForPodScheduled", $"waiting for pod {pods[0]} to be scheduled");
                break;
            default:
                _recorder.Normal(claim, "WaitForPodScheduled", $"waiting for pods {string.Join(',', pods)} to be scheduled");
                break;
        }
    }

    /// <summary>Whether the claim's class defers binding to the scheduler (an unknown or missing class binds at once).</summary>
    private bool IsDelayBinding(V1PersistentVolumeClaim claim)
    {
        var className = VolumeMatching.ClaimClass(claim);
        return className.Length > 0 && _classes.Get(null, className)?.VolumeBindingMode == "WaitForFirstConsumer";
    }

    /// <summary>Why a volume the claim asked for by name cannot serve it (Kubernetes' checkVolumeSatisfyClaim), or null.</summary>
    private static string? VolumeMismatch(V1PersistentVolume volume, V1PersistentVolumeClaim claim)
    {
        if (volume.Metadata.DeletionTimestamp is not null) return $"the volume is marked for deletion \"{volume.Metadata.Name}\"";
        if (VolumeMatching.Capacity(volume) < VolumeMatching.Requested(claim)) return "requested PV is too small";
        if (VolumeMatching.VolumeClass(volume) != VolumeMatching.ClaimClass(claim)) return "storageClassName does not match";
        if (VolumeMatching.VolumeModeMismatch(claim, volume)) return "incompatible volumeMode";
        if (!VolumeMatching.AccessModesSatisfy(claim, volume)) return "incompatible accessMode";
        return null;
    }

    private static bool HasAnnotation(V1ObjectMeta metadata, string annotation) => metadata.Annotations?.ContainsKey(annotation) == true;

    private static string? Annotation(V1ObjectMeta metadata, string annotation) =>
        metadata.Annotations?.TryGetValue(annotation, out var value) == true ? value : null;
}
