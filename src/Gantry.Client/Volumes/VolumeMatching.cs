using Gantry.Client.Selectors;
using k8s.Models;

namespace Gantry.Client.Volumes;

/// <summary>
/// How a claim is matched with a persistent volume (Kubernetes' FindMatchingVolume and its helpers), shared by the
/// persistent volume controller (no node) and the scheduler's volume binding (with the candidate node).
/// </summary>
public static class VolumeMatching
{
    /// <summary>The class a claim asks for: the beta annotation, else spec.storageClassName, else "".</summary>
    public static string ClaimClass(V1PersistentVolumeClaim claim) =>
        claim.Metadata.Annotations?.TryGetValue(VolumeAnnotations.BetaStorageClass, out var beta) == true ? beta : claim.Spec?.StorageClassName ?? "";

    /// <summary>The class of a volume: the beta annotation, else spec.storageClassName, else "".</summary>
    public static string VolumeClass(V1PersistentVolume volume) =>
        volume.Metadata.Annotations?.TryGetValue(VolumeAnnotations.BetaStorageClass, out var beta) == true ? beta : volume.Spec?.StorageClassName ?? "";

    /// <summary>Whether the volume's claimRef names the claim (and its uid, unless the reference has none yet).</summary>
    public static bool IsBoundToClaim(V1PersistentVolume volume, V1PersistentVolumeClaim claim) =>
        volume.Spec?.ClaimRef is { } reference && reference.Name == claim.Metadata.Name && reference.NamespaceProperty == claim.Metadata.NamespaceProperty
        && (string.IsNullOrEmpty(reference.Uid) || reference.Uid == claim.Metadata.Uid);

    /// <summary>The claim's storage request in bytes (0 when absent).</summary>
    public static decimal Requested(V1PersistentVolumeClaim claim) =>
        claim.Spec?.Resources?.Requests?.TryGetValue("storage", out var quantity) == true ? quantity.ToDecimal() : 0;

    /// <summary>The volume's storage capacity in bytes (0 when absent).</summary>
    public static decimal Capacity(V1PersistentVolume volume) =>
        volume.Spec?.Capacity?.TryGetValue("storage", out var quantity) == true ? quantity.ToDecimal() : 0;

    /// <summary>Whether the volume offers every access mode the claim asks for.</summary>
    public static bool AccessModesSatisfy(V1PersistentVolumeClaim claim, V1PersistentVolume volume)
    {
        var offered = volume.Spec?.AccessModes ?? [];
        return (claim.Spec?.AccessModes ?? []).All(offered.Contains);
    }

    /// <summary>Whether claim and volume differ in volumeMode (an unset mode is Filesystem).</summary>
    public static bool VolumeModeMismatch(V1PersistentVolumeClaim claim, V1PersistentVolume volume) =>
        (claim.Spec?.VolumeMode ?? "Filesystem") != (volume.Spec?.VolumeMode ?? "Filesystem");

    /// <summary>Whether the node satisfies the volume's required node affinity (volumes without one fit every node).</summary>
    public static bool NodeAffinityMatches(V1PersistentVolume volume, V1Node node)
    {
        var terms = volume.Spec?.NodeAffinity?.Required?.NodeSelectorTerms;
        return terms is null || terms.Any(t => NodeSelectors.TermMatches(t, node));
    }

    /// <summary>
    /// The volume for a claim among <paramref name="volumes"/>: one pre-bound to it (its claimRef names the claim) wins,
    /// otherwise the smallest Available volume that is large enough, of the claim's class and volume mode, matches its
    /// selector and is not being deleted. With a <paramref name="node"/> (the scheduler) the volume must also fit the
    /// node and offer the claim's access modes; without one, <paramref name="delayBinding"/> claims only get pre-bound
    /// volumes, since the scheduler binds the rest. Null when nothing matches.
    /// </summary>
    public static V1PersistentVolume? FindMatchingVolume(V1PersistentVolumeClaim claim, IEnumerable<V1PersistentVolume> volumes, V1Node? node,
        IReadOnlySet<string>? excluded, bool delayBinding)
    {
        var requested = Requested(claim);
        var requestedClass = ClaimClass(claim);
        V1PersistentVolume? smallest = null;
        var smallestCapacity = 0m;
        foreach (var volume in volumes)
        {
            if (excluded?.Contains(volume.Metadata.Name) == true) continue;
            if (volume.Spec?.ClaimRef is not null && !IsBoundToClaim(volume, claim)) continue;
            var capacity = Capacity(volume);
            if (capacity < requested || VolumeModeMismatch(claim, volume) || volume.Metadata.DeletionTimestamp is not null) continue;
            var fitsNode = node is null || NodeAffinityMatches(volume, node);
            // A volume pre-bound to the claim is the answer (or, when it cannot serve this node, nothing is).
            if (IsBoundToClaim(volume, claim)) return fitsNode ? volume : null;
            if (node is null && delayBinding) continue;
            // Only Available volumes: the others become Available soon, and binding them now would only meet conflicts.
            if (volume.Status?.Phase != "Available") continue;
            if (claim.Spec?.Selector is { } selector && !LabelSelectors.Matches(selector, volume.Metadata.Labels)) continue;
            if (VolumeClass(volume) != requestedClass || !fitsNode) continue;
            if (node is not null && !AccessModesSatisfy(claim, volume)) continue;
            if (smallest is null || smallestCapacity > capacity)
            {
                smallest = volume;
                smallestCapacity = capacity;
            }
        }
        return smallest;
    }
}
