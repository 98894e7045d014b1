using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// Kubernetes' ActivePodsWithRanks order: pods first in the order are deleted first when scaling down. Unassigned before
/// assigned; Pending before Unknown before Running; not ready before ready; lower pod-deletion-cost first; more
/// related pods on the same node first; ready for less time first; more restarts first; newer first. Ready and creation
/// times compare in log2 buckets of their age (LogarithmicScaleDown), ties broken by UID, so equally old pods go in a
/// stable pseudo-random order.
/// </summary>
internal sealed class ActivePodsRanking(IReadOnlyDictionary<V1Pod, int> ranks, DateTimeOffset now) : IComparer<V1Pod>
{
    /// <summary>The annotation users set to steer which pods go first (lower cost first).</summary>
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    /// <summary>
    /// Ranks each of <paramref name="pods"/> by how many active <paramref name="related"/> pods share its node (the
    /// getPodsRankedByRelatedPodsOnSameNode rule) and sorts them, those to delete first at the front.
    /// </summary>
    public static List<V1Pod> Sort(IReadOnlyList<V1Pod> pods, IEnumerable<V1Pod> related, DateTimeOffset now)
    {
        var perNode = related.Where(PodState.IsActive).GroupBy(p => p.Spec?.NodeName ?? "").ToDictionary(g => g.Key, g => g.Count());
        var ranks = new Dictionary<V1Pod, int>(ReferenceEqualityComparer.Instance);
        foreach (var pod in pods) ranks[pod] = perNode.GetValueOrDefault(pod.Spec?.NodeName ?? "");
        var sorted = pods.ToList();
        sorted.Sort(new ActivePodsRanking(ranks, now));
        return sorted;
    }

    /// <inheritdoc />
    public int Compare(V1Pod? x, V1Pod? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var nodeX = x.Spec?.NodeName ?? "";
        var nodeY = y.Spec?.NodeName ?? "";
        if (nodeX != nodeY && (nodeX.Length == 0 || nodeY.Length == 0)) return nodeX.Length == 0 ? -1 : 1;
        var phase = PhaseOrdinal(x).CompareTo(PhaseOrdinal(y));
        if (phase != 0) return phase;
        var readyX = PodState.IsReady(x);
        var readyY = PodState.IsReady(y);
        if (readyX != readyY) return readyX ? 1 : -1;
        var cost = DeletionCost(x).CompareTo(DeletionCost(y));
        if (cost != 0) return cost;
        var rank = ranks.GetValueOrDefault(y).CompareTo(ranks.GetValueOrDefault(x));
        if (rank != 0) return rank;
        if (readyX && readyY)
        {
            var ready = CompareTimes(x, y, PodState.ReadySince(x), PodState.ReadySince(y));
            if (ready != 0) return ready;
        }
        var restarts = PodState.MaxRestarts(y).CompareTo(PodState.MaxRestarts(x));
        if (restarts != 0) return restarts;
        return CompareTimes(x, y, PodState.Created(x), PodState.Created(y));
    }

    // Later (younger) first, unset first of all; in log2 buckets of age relative to now, UID breaking ties.
    private int CompareTimes(V1Pod x, V1Pod y, DateTimeOffset? tx, DateTimeOffset? ty)
    {
        if (tx == ty) return 0;
        if (tx is null || ty is null) return tx is null ? -1 : 1;
        var bucket = Bucket(tx.Value).CompareTo(Bucket(ty.Value));
        if (bucket != 0) return bucket;
        return string.CompareOrdinal(x.Metadata.Uid, y.Metadata.Uid);
    }

    // Kubernetes takes log2 of the age in nanoseconds; -1 for anything not in the past.
    private long Bucket(DateTimeOffset t)
    {
        var nanos = (now - t).Ticks * 100.0;
        return nanos > 0 ? (long)Math.Log2(nanos) : -1;
    }

    private static int PhaseOrdinal(V1Pod pod) => pod.Status?.Phase switch
    {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static int DeletionCost(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(DeletionCostAnnotation, out var text) == true && int.TryParse(text, out var cost) ? cost : 0;
}
