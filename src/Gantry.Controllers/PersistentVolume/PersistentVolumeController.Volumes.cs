using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Volumes;
using k8s.Models;

namespace Gantry.Controllers.PersistentVolume;

/// <summary>Volume sync: Kubernetes' syncVolume, reclaimVolume and unbindVolume.</summary>
public sealed partial class PersistentVolumeController
{
    private async Task SyncVolumeAsync(string name, CancellationToken cancellationToken)
    {
        var volume = _volumes.Get(null, name);
        if (volume is null) return;
        var reference = volume.Spec.ClaimRef;
        if (reference is null || string.IsNullOrEmpty(reference.Uid))
        {
            // Unused, or reserved for a claim (pre-bound) that the claim sync will bind.
            await UpdateVolumePhaseAsync(volume, "Available", "", cancellationToken).ConfigureAwait(false);
            return;
        }
        var claim = await FindClaimAsync(volume, reference, cancellationToken).ConfigureAwait(false);
        if (claim is null)
        {
            // The claim is gone. Keep a Failed phase visible while reclaiming is retried.
            if (volume.Status?.Phase is not ("Released" or "Failed"))
            {
                LogReleased(_logger, name, volume.Spec.PersistentVolumeReclaimPolicy);
                volume = await UpdateVolumePhaseAsync(volume, "Released", "", cancellationToken).ConfigureAwait(false);
            }
            await ReclaimAsync(volume, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (string.IsNullOrEmpty(claim.Spec.VolumeName))
        {
            if (VolumeMatching.VolumeModeMismatch(claim, volume))
            {
                _recorder.Warning(volume, "VolumeMismatch",
                    $"Cannot bind PersistentVolume to requested PersistentVolumeClaim \"{claim.Metadata.Name}\" due to incompatible volumeMode.");
                _recorder.Warning(claim, "VolumeMismatch",
                    $"Cannot bind PersistentVolume \"{volume.Metadata.Name}\" to requested PersistentVolumeClaim due to incompatible volumeMode.");
                return;
            }
            // Bound on this side only (by the scheduler, a provisioner or a half-finished bind): the claim sync completes it.
            _claimQueue.Add(ClaimKey(claim));
            return;
        }
        if (claim.Spec.VolumeName == volume.Metadata.Name)
        {
            await UpdateVolumePhaseAsync(volume, "Bound", "", cancellationToken).ConfigureAwait(false);
            return;
        }
        // The claim is bound to another volume.
        if (HasAnnotation(volume.Metadata, VolumeAnnotations.ProvisionedBy) && volume.Spec.PersistentVolumeReclaimPolicy == "Delete")
        {
            // Provisioned for this claim, which got another volume: not needed any more.
            if (volume.Status?.Phase is not ("Released" or "Failed"))
                volume = await UpdateVolumePhaseAsync(volume, "Released", "", cancellationToken).ConfigureAwait(false);
            await ReclaimAsync(volume, cancellationToken).ConfigureAwait(false);
            return;
        }
        await UnbindVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The claim a volume's claimRef names, with the same uid; null when it is gone. A claim missing from the cache is
    /// looked up in the API before the volume is released: a provisioner or the scheduler may have bound the volume to a
    /// claim this cache has not seen yet.
    /// </summary>
    private async Task<V1PersistentVolumeClaim?> FindClaimAsync(V1PersistentVolume volume, V1ObjectReference reference, CancellationToken cancellationToken)
    {
        var claim = _claims.Get(reference.NamespaceProperty, reference.Name);
        var stillInUse = volume.Status?.Phase is not ("Released" or "Failed");
        if ((claim is null && stillInUse) || (claim is not null && claim.Metadata.Uid != reference.Uid))
            claim = await _context.Client.For<V1PersistentVolumeClaim>().GetAsync(reference.NamespaceProperty, reference.Name, cancellationToken).ConfigureAwait(false);
        return claim is not null && claim.Metadata.Uid == reference.Uid ? claim : null;
    }

    /// <summary>Applies the reclaim policy of a Released volume.</summary>
    private async Task ReclaimAsync(V1PersistentVolume volume, CancellationToken cancellationToken)
    {
        switch (volume.Spec.PersistentVolumeReclaimPolicy)
        {
            case "Retain":
                return;
            case "Recycle":
                // Recycling (rm -rf by a recycler pod) is deprecated in Kubernetes and has no implementation here.
                await UpdateVolumePhaseWithEventAsync(volume, "Failed", EventTypes.Warning, "VolumeFailedRecycle", "No recycler plugin found for the volume!",
                    cancellationToken).ConfigureAwait(false);
                return;
            case "Delete":
                var provisioner = Annotation(volume.Metadata, VolumeAnnotations.ProvisionedBy);
                if (!string.IsNullOrEmpty(provisioner) && !provisioner.StartsWith("kubernetes.io/", StringComparison.Ordinal))
                {
                    // The external provisioner that made the volume deletes its data and then the PersistentVolume.
                    LogExternalDeleter(_logger, volume.Metadata.Name, provisioner);
                    return;
                }
                await UpdateVolumePhaseWithEventAsync(volume, "Failed", EventTypes.Warning, "VolumeFailedDelete",
                    $"error getting deleter volume plugin for volume \"{volume.Metadata.Name}\": no deletable volume plugin matched", cancellationToken).ConfigureAwait(false);
                return;
            default:
                await UpdateVolumePhaseWithEventAsync(volume, "Failed", EventTypes.Warning, "VolumeUnknownReclaimPolicy",
                    "Volume has unrecognized PersistentVolumeReclaimPolicy", cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// Rolls back a binding whose claim went to another volume: a controller binding is dropped, a user's pre-binding
    /// keeps the claim's name and loses only its uid. The volume is Available again.
    /// </summary>
    private async Task UnbindVolumeAsync(V1PersistentVolume volume, CancellationToken cancellationToken)
    {
        var unbound = ObjectCopy.DeepCopy(volume);
        if (HasAnnotation(volume.Metadata, VolumeAnnotations.BoundByController))
        {
            unbound.Spec.ClaimRef = null;
            unbound.Metadata.Annotations.Remove(VolumeAnnotations.BoundByController);
        }
        else
        {
            unbound.Spec.ClaimRef.Uid = null;
        }
        var written = await _context.Client.For<V1PersistentVolume>().UpdateAsync(unbound, cancellationToken).ConfigureAwait(false);
        await UpdateVolumePhaseAsync(written, "Available", "", cancellationToken).ConfigureAwait(false);
    }
}
