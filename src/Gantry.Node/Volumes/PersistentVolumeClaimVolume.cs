using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>
/// persistentVolumeClaim: the claim's bound volume, when it is a <c>local</c> or <c>hostPath</c> volume, is used in place
/// (its data outlives the pod). The directory of a local-path volume of this node is created when missing. A generic
/// ephemeral volume is the claim <c>{pod}-{volume}</c> the ephemeral volume controller made for (and owned by) the pod.
/// </summary>
internal sealed class PersistentVolumeClaimVolume : IVolumePlugin
{
    /// <inheritdoc />
    public bool Handles(V1Volume volume) => volume.PersistentVolumeClaim is not null || volume.Ephemeral is not null;

    /// <inheritdoc />
    public async Task<string> SetUpAsync(VolumeContext context, V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var claimName = volume.PersistentVolumeClaim?.ClaimName ?? $"{pod.Metadata.Name}-{volume.Name}";
        var claim = await context.Client.For<V1PersistentVolumeClaim>().GetAsync(ns, claimName, cancellationToken).ConfigureAwait(false)
            ?? throw new VolumeSourceException($"persistentvolumeclaim \"{claimName}\" not found");
        if (volume.Ephemeral is not null && claim.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == pod.Metadata.Uid) != true)
        {
            throw new VolumeSourceException($"PVC {ns}/{claimName} was not created for pod {ns}/{pod.Metadata.Name} (pod is not owner)");
        }
        if (claim.Status?.Phase != "Bound" || string.IsNullOrEmpty(claim.Spec?.VolumeName))
        {
            throw new VolumeSourceException(
                $"PVC {ns}/{claimName} has non-bound phase (\"{claim.Status?.Phase}\") or empty pvc.Spec.VolumeName (\"{claim.Spec?.VolumeName}\")");
        }
        var pv = await context.Client.For<V1PersistentVolume>().GetAsync(null, claim.Spec.VolumeName, cancellationToken).ConfigureAwait(false)
            ?? throw new VolumeSourceException($"persistentvolume \"{claim.Spec.VolumeName}\" not found");
        if (pv.Spec?.ClaimRef is { } claimRef && claimRef.Uid is { Length: > 0 } && claimRef.Uid != claim.Metadata.Uid)
        {
            throw new VolumeSourceException($"the volume {pv.Metadata.Name} is bound to another claim {claimRef.NamespaceProperty}/{claimRef.Name}");
        }
        if (pv.Spec?.Local?.Path is { Length: > 0 } localPath)
        {
            if (LocalPathProvisioner.IsOwnVolume(pv, context.Paths)) Directory.CreateDirectory(localPath);
            if (!Directory.Exists(localPath) && !File.Exists(localPath)) throw new VolumeSourceException($"local volume path \"{localPath}\" does not exist");
            return localPath;
        }
        if (pv.Spec?.HostPath is { } hostPath)
        {
            HostPathVolume.CheckType(hostPath.Path, hostPath.Type);
            return hostPath.Path;
        }
        throw new VolumeSourceException($"volume {pv.Metadata.Name} of claim {ns}/{claimName} is neither a local nor a hostPath volume: this node cannot mount it");
    }
}
