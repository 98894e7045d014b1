using System.Collections.Concurrent;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// What VolumeBinding learnt about one pod in a scheduling cycle: its claims by kind (PreFilter), the decisions for each
/// node that passed (Filter), and those for the chosen node (Reserve), read again when binding (PreBind).
/// </summary>
internal sealed class VolumeBindingState
{
    /// <summary>The state of a pod without claims: every phase is skipped.</summary>
    public static readonly VolumeBindingState Skip = new([], [], null);

    /// <summary>A state from the claims of a pod.</summary>
    public VolumeBindingState(IReadOnlyList<V1PersistentVolumeClaim> bound, IReadOnlyList<V1PersistentVolumeClaim> delayed, string? failure)
    {
        BoundClaims = bound;
        DelayedClaims = delayed;
        Failure = failure;
    }

    /// <summary>Claims fully bound (volumeName and bind-completed).</summary>
    public IReadOnlyList<V1PersistentVolumeClaim> BoundClaims { get; }

    /// <summary>Unbound claims of WaitForFirstConsumer classes: the scheduler picks their volume or node.</summary>
    public IReadOnlyList<V1PersistentVolumeClaim> DelayedClaims { get; }

    /// <summary>Why no node can take the pod at all (PreFilter failure), or null.</summary>
    public string? Failure { get; }

    /// <summary>Whether the pod has claims to look at.</summary>
    public bool HasClaims => BoundClaims.Count > 0 || DelayedClaims.Count > 0;

    /// <summary>The decisions for each node that passed the filter.</summary>
    public ConcurrentDictionary<string, NodeVolumes> ByNode { get; } = new(StringComparer.Ordinal);

    /// <summary>The decisions for the node the pod was reserved on; null when all its claims are bound.</summary>
    public NodeVolumes? Reserved { get; set; }
}
