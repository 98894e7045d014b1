using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Volumes;
using k8s.Models;

namespace Gantry.Controllers.PersistentVolume;

/// <summary>Writing a binding and the phases (Kubernetes' bind, bindVolumeToClaim, bindClaimToVolume, update*Status).</summary>
public sealed partial class PersistentVolumeController
{
    /// <summary>
    /// Binds both ways, volume first (claimRef, then Bound), then the claim (volumeName and annotations, then Bound with
    /// the volume's modes and capacity). Each step writes only what is missing; a failure is finished by a later sync.
    /// </summary>
    private async Task BindAsync(V1PersistentVolume volume, V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        volume = await BindVolumeToClaimAsync(volume, claim, cancellationToken).ConfigureAwait(false);
        volume = await UpdateVolumePhaseAsync(volume, "Bound", "", cancellationToken).ConfigureAwait(false);
        claim = await BindClaimToVolumeAsync(claim, volume, cancellationToken).ConfigureAwait(false);
        await UpdateClaimStatusAsync(claim, "Bound", volume, cancellationToken).ConfigureAwait(false);
    }

    private async Task<V1PersistentVolume> BindVolumeToClaimAsync(V1PersistentVolume volume, V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        var boundByController = !VolumeMatching.IsBoundToClaim(volume, claim);
        var clone = ObjectCopy.DeepCopy(volume);
        var dirty = false;
        var reference = volume.Spec.ClaimRef;
        if (reference is null || reference.Name != claim.Metadata.Name || reference.NamespaceProperty != claim.Metadata.NamespaceProperty
            || reference.Uid != claim.Metadata.Uid)
        {
            clone.Spec.ClaimRef = new V1ObjectReference
            {
                Kind = "PersistentVolumeClaim", ApiVersion = "v1", NamespaceProperty = claim.Metadata.NamespaceProperty, Name = claim.Metadata.Name,
                Uid = claim.Metadata.Uid, ResourceVersion = claim.Metadata.ResourceVersion,
            };
            dirty = true;
        }
        if (boundByController && !HasAnnotation(clone.Metadata, VolumeAnnotations.BoundByController))
        {
            clone.Metadata.Annotations ??= new Dictionary<string, string>();
            clone.Metadata.Annotations[VolumeAnnotations.BoundByController] = "yes";
            dirty = true;
        }
        if (!dirty) return volume;
        return await _context.Client.For<V1PersistentVolume>().UpdateAsync(clone, cancellationToken).ConfigureAwait(false);
    }

    private async Task<V1PersistentVolumeClaim> BindClaimToVolumeAsync(V1PersistentVolumeClaim claim, V1PersistentVolume volume, CancellationToken cancellationToken)
    {
        var boundByController = claim.Spec.VolumeName != volume.Metadata.Name;
        var clone = ObjectCopy.DeepCopy(claim);
        clone.Metadata.Annotations ??= new Dictionary<string, string>();
        var dirty = false;
        if (clone.Spec.VolumeName != volume.Metadata.Name)
        {
            clone.Spec.VolumeName = volume.Metadata.Name;
            dirty = true;
        }
        if (boundByController && clone.Metadata.Annotations.TryAdd(VolumeAnnotations.BoundByController, "yes")) dirty = true;
        if (clone.Metadata.Annotations.TryAdd(VolumeAnnotations.BindCompleted, "yes")) dirty = true;
        if (!dirty) return claim;
        var written = await _context.Client.For<V1PersistentVolumeClaim>().UpdateAsync(clone, cancellationToken).ConfigureAwait(false);
        LogBound(_logger, ClaimKey(claim), volume.Metadata.Name);
        return written;
    }

    /// <summary>Sets the volume's phase and message (and the phase transition time), writing only on a change.</summary>
    private async Task<V1PersistentVolume> UpdateVolumePhaseAsync(V1PersistentVolume volume, string phase, string message, CancellationToken cancellationToken)
    {
        if (volume.Status?.Phase == phase && (volume.Status.Message ?? "") == message) return volume;
        var clone = ObjectCopy.DeepCopy(volume);
        clone.Status ??= new V1PersistentVolumeStatus();
        if (clone.Status.Phase != phase) clone.Status.LastPhaseTransitionTime = TruncatedNow();
        clone.Status.Phase = phase;
        clone.Status.Message = message.Length == 0 ? null : message;
        return await _context.Client.For<V1PersistentVolume>().UpdateStatusAsync(clone, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the volume's phase with the message also recorded as an event, once per phase change.</summary>
    private async Task UpdateVolumePhaseWithEventAsync(V1PersistentVolume volume, string phase, string eventType, string reason, string message,
        CancellationToken cancellationToken)
    {
        if (volume.Status?.Phase == phase) return;
        var written = await UpdateVolumePhaseAsync(volume, phase, message, cancellationToken).ConfigureAwait(false);
        _recorder.Record(written, eventType, reason, message);
    }

    /// <summary>
    /// Sets the claim's phase; with a volume also its access modes and (when it becomes Bound, unless a resize made it
    /// larger) its capacity, without one clears both. Writes only on a change.
    /// </summary>
    private async Task<V1PersistentVolumeClaim> UpdateClaimStatusAsync(V1PersistentVolumeClaim claim, string phase, V1PersistentVolume? volume,
        CancellationToken cancellationToken)
    {
        var clone = ObjectCopy.DeepCopy(claim);
        clone.Status ??= new V1PersistentVolumeClaimStatus();
        var dirty = false;
        if (claim.Status?.Phase != phase)
        {
            clone.Status.Phase = phase;
            dirty = true;
        }
        if (volume is null)
        {
            if (clone.Status.AccessModes is not null || clone.Status.Capacity is not null) dirty = true;
            clone.Status.AccessModes = null;
            clone.Status.Capacity = null;
        }
        else
        {
            if (!(clone.Status.AccessModes ?? []).SequenceEqual(volume.Spec.AccessModes ?? []))
            {
                clone.Status.AccessModes = volume.Spec.AccessModes is null ? null : [.. volume.Spec.AccessModes];
                dirty = true;
            }
            if (claim.Status?.Phase != phase)
            {
                var volumeCapacity = VolumeMatching.Capacity(volume);
                var claimCapacity = claim.Status?.Capacity?.TryGetValue("storage", out var current) == true ? current.ToDecimal() : (decimal?)null;
                if (claimCapacity is null || volumeCapacity > claimCapacity)
                {
                    clone.Status.Capacity = volume.Spec.Capacity is null ? null : new Dictionary<string, ResourceQuantity>(volume.Spec.Capacity);
                    dirty = true;
                }
            }
        }
        if (!dirty) return claim;
        return await _context.Client.For<V1PersistentVolumeClaim>().UpdateStatusAsync(clone, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the claim's phase (clearing modes and capacity) with an event, once per phase change.</summary>
    private async Task UpdateClaimStatusWithEventAsync(V1PersistentVolumeClaim claim, string phase, string reason, string message,
        CancellationToken cancellationToken)
    {
        if (claim.Status?.Phase == phase) return;
        var written = await UpdateClaimStatusAsync(claim, phase, null, cancellationToken).ConfigureAwait(false);
        _recorder.Record(written, EventTypes.Warning, reason, message);
    }

    /// <summary>Now, to whole seconds as the API stores times.</summary>
    private DateTime TruncatedNow()
    {
        var now = _context.Time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }
}
