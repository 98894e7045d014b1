using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>For one node: the static volumes to bind to claims, and the claims to provision there.</summary>
internal sealed record NodeVolumes(
    IReadOnlyList<(V1PersistentVolumeClaim Claim, V1PersistentVolume Volume)> StaticBindings,
    IReadOnlyList<V1PersistentVolumeClaim> Provisions)
{
    /// <summary>Whether nothing is left to bind.</summary>
    public bool AllBound => StaticBindings.Count == 0 && Provisions.Count == 0;
}
