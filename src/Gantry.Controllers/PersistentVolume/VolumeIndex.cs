using Gantry.Client.Volumes;
using k8s.Models;

namespace Gantry.Controllers.PersistentVolume;

/// <summary>
/// Kubernetes' persistentVolumeOrderedIndex.findBestMatchForClaim: volumes are grouped by their set of access modes;
/// the groups offering every mode the claim asks for are searched from the fewest modes up, so a claim for
/// ReadWriteOnce prefers a ReadWriteOnce volume over a larger-featured one, and within a group the smallest volume wins.
/// </summary>
internal static class VolumeIndex
{
    /// <summary>The best volume for the claim, or null.</summary>
    public static V1PersistentVolume? FindBestMatchForClaim(V1PersistentVolumeClaim claim, IReadOnlyList<V1PersistentVolume> volumes, bool delayBinding)
    {
        var wanted = claim.Spec?.AccessModes ?? [];
        var groups = volumes
            .GroupBy(v => string.Join(',', (v.Spec?.AccessModes ?? []).Distinct().Order(StringComparer.Ordinal)), StringComparer.Ordinal)
            .Select(g => (Modes: g.Key.Length == 0 ? [] : g.Key.Split(','), Volumes: g.ToList()))
            .Where(g => wanted.All(g.Modes.Contains))
            .OrderBy(g => g.Modes.Length);
        foreach (var (_, candidates) in groups)
        {
            if (VolumeMatching.FindMatchingVolume(claim, candidates, null, null, delayBinding) is { } best) return best;
        }
        return null;
    }
}
