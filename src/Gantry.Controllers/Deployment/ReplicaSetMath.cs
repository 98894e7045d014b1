using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Gantry.Controllers.Deployment;

/// <summary>
/// The arithmetic and lookups of pkg/controller/deployment/util: fenceposts, replica sums, the new and old ReplicaSets
/// of a Deployment, proportions for proportional scaling, and the completion/progress/time-out tests.
/// </summary>
internal static class ReplicaSetMath
{
    public static int Replicas(V1Deployment d) => d.Spec.Replicas ?? 1;

    public static int Replicas(V1ReplicaSet rs) => rs.Spec.Replicas ?? 1;

    public static bool IsRollingUpdate(V1Deployment d) => d.Spec.Strategy?.Type is null or "RollingUpdate";

    public static bool HasProgressDeadline(V1Deployment d) =>
        d.Spec.ProgressDeadlineSeconds is { } seconds && seconds != int.MaxValue;

    public static bool HasRevisionHistoryLimit(V1Deployment d) =>
        d.Spec.RevisionHistoryLimit is { } limit && limit != int.MaxValue;

    /// <summary>An int-or-percent scaled against <paramref name="total"/>; percentages round up or down as asked.</summary>
    public static int Scaled(IntOrString? value, int total, bool roundUp, string fallback)
    {
        var text = value?.Value ?? fallback;
        if (!text.EndsWith('%')) return int.Parse(text, CultureInfo.InvariantCulture);
        var percent = int.Parse(text.AsSpan(0, text.Length - 1), CultureInfo.InvariantCulture);
        var exact = (double)percent * total / 100;
        return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
    }

    /// <summary>ResolveFenceposts: surge rounds up, unavailable down, and both zero means one unavailable.</summary>
    public static (int Surge, int Unavailable) Fenceposts(V1Deployment d)
    {
        var rolling = d.Spec.Strategy?.RollingUpdate;
        var desired = Replicas(d);
        var surge = Scaled(rolling?.MaxSurge, desired, roundUp: true, "25%");
        var unavailable = Scaled(rolling?.MaxUnavailable, desired, roundUp: false, "25%");
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    public static int MaxSurge(V1Deployment d) => IsRollingUpdate(d) ? Fenceposts(d).Surge : 0;

    public static int MaxUnavailable(V1Deployment d)
    {
        if (!IsRollingUpdate(d) || Replicas(d) == 0) return 0;
        return Math.Min(Fenceposts(d).Unavailable, Replicas(d));
    }

    public static int SpecSum(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs is null ? 0 : Replicas(rs));

    public static int StatusSum(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.Replicas ?? 0);

    public static int ReadySum(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.ReadyReplicas ?? 0);

    public static int AvailableSum(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.AvailableReplicas ?? 0);

    public static List<V1ReplicaSet> Active(IEnumerable<V1ReplicaSet?> sets) =>
        [.. sets.OfType<V1ReplicaSet>().Where(rs => Replicas(rs) > 0)];

    /// <summary>Oldest first, then by name (ReplicaSetsByCreationTimestamp).</summary>
    public static List<V1ReplicaSet> ByCreation(IEnumerable<V1ReplicaSet> sets) =>
        [.. sets.OrderBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal)];

    /// <summary>Lowest revision first, ties by creation (ReplicaSetsByRevision).</summary>
    public static List<V1ReplicaSet> ByRevision(IEnumerable<V1ReplicaSet> sets) =>
        [.. sets.OrderBy(Revision).ThenBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal)];

    /// <summary>Largest first; ties newest first (ReplicaSetsBySizeNewer) or oldest first (BySizeOlder).</summary>
    public static List<V1ReplicaSet> BySize(IEnumerable<V1ReplicaSet> sets, bool newerFirst)
    {
        var bySize = sets.OrderByDescending(Replicas);
        return newerFirst
            ? [.. bySize.ThenByDescending(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenByDescending(rs => rs.Metadata.Name, StringComparer.Ordinal)]
            : [.. bySize.ThenBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal)];
    }

    public static long Revision(V1ReplicaSet rs) =>
        long.TryParse(DeploymentAnnotations.Lookup(rs.Metadata.Annotations, DeploymentAnnotations.Revision), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;

    public static long MaxRevision(IEnumerable<V1ReplicaSet> sets) => sets.Select(Revision).DefaultIfEmpty(0).Max();

    /// <summary>Whether two templates are equal once the pod-template-hash label is ignored (EqualIgnoreHash).</summary>
    public static bool EqualIgnoreHash(V1PodTemplateSpec a, V1PodTemplateSpec b) => JsonNode.DeepEquals(WithoutHash(a), WithoutHash(b));

    private static JsonNode WithoutHash(V1PodTemplateSpec template)
    {
        var node = PodTemplateHash.Pruned(template);
        if (node["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(PodTemplateHash.Label);
            if (labels.Count == 0) node["metadata"]!.AsObject().Remove("labels");
            if (node["metadata"] is JsonObject { Count: 0 }) node.AsObject().Remove("metadata");
        }
        return node;
    }

    /// <summary>The oldest ReplicaSet whose template equals the Deployment's (FindNewReplicaSet).</summary>
    public static V1ReplicaSet? FindNew(V1Deployment d, IEnumerable<V1ReplicaSet> sets)
    {
        var wanted = WithoutHash(d.Spec.Template);
        return ByCreation(sets).FirstOrDefault(rs => JsonNode.DeepEquals(WithoutHash(rs.Spec.Template), wanted));
    }

    /// <summary>Every other ReplicaSet (FindOldReplicaSets' allOldRSs).</summary>
    public static List<V1ReplicaSet> FindOld(V1Deployment d, IEnumerable<V1ReplicaSet> sets)
    {
        var list = sets.ToList();
        var newRs = FindNew(d, list);
        return [.. list.Where(rs => newRs is null || rs.Metadata.Uid != newRs.Metadata.Uid)];
    }

    /// <summary>How big a new ReplicaSet may become now (NewRSNewReplicas).</summary>
    public static int NewReplicaSetReplicas(V1Deployment d, IEnumerable<V1ReplicaSet?> all, V1ReplicaSet newRs)
    {
        if (!IsRollingUpdate(d)) return Replicas(d);
        var surge = Scaled(d.Spec.Strategy?.RollingUpdate?.MaxSurge, Replicas(d), roundUp: true, "25%");
        var current = SpecSum(all);
        var maxTotal = Replicas(d) + surge;
        if (current >= maxTotal) return Replicas(newRs);
        var scaleUp = Math.Min(maxTotal - current, Replicas(d) - Replicas(newRs));
        return Replicas(newRs) + scaleUp;
    }

    /// <summary>Whether the new ReplicaSet already runs every desired replica, available (IsSaturated).</summary>
    public static bool IsSaturated(V1Deployment d, V1ReplicaSet? rs) =>
        rs is not null && Replicas(rs) == Replicas(d) && DeploymentAnnotations.DesiredOf(rs) == Replicas(d)
        && (rs.Status?.AvailableReplicas ?? 0) == Replicas(d);

    /// <summary>The one active ReplicaSet, or the latest when none is active; null when several are active.</summary>
    public static V1ReplicaSet? FindActiveOrLatest(V1ReplicaSet? newRs, List<V1ReplicaSet> oldRs)
    {
        if (newRs is null && oldRs.Count == 0) return null;
        var newestOld = ByCreation(oldRs);
        newestOld.Reverse();
        var active = Active(newestOld.Append(newRs));
        return active.Count switch
        {
            0 => newRs ?? newestOld[0],
            1 => active[0],
            _ => null,
        };
    }

    /// <summary>The share of <paramref name="toAdd"/> a ReplicaSet gets when a Deployment is resized mid-rollout (GetProportion).</summary>
    public static int Proportion(V1ReplicaSet rs, V1Deployment d, int toAdd, int added)
    {
        if (Replicas(rs) == 0 || toAdd == 0 || toAdd == added) return 0;
        var fraction = Fraction(rs, d);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    private static int Fraction(V1ReplicaSet rs, V1Deployment d)
    {
        if (Replicas(d) == 0) return -Replicas(rs);
        var deploymentReplicas = Replicas(d) + MaxSurge(d);
        var annotated = DeploymentAnnotations.MaxOf(rs) ?? d.Status?.Replicas ?? 0;
        if (annotated == 0) return 0;
        var size = (double)Replicas(rs) * deploymentReplicas / annotated;
        return (int)Math.Round(size, MidpointRounding.AwayFromZero) - Replicas(rs);
    }

    /// <summary>Every replica is updated and available and the latest spec is observed (DeploymentComplete).</summary>
    public static bool IsComplete(V1Deployment d, V1DeploymentStatus status) =>
        (status.UpdatedReplicas ?? 0) == Replicas(d) && (status.Replicas ?? 0) == Replicas(d)
        && (status.AvailableReplicas ?? 0) == Replicas(d) && (status.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0);

    /// <summary>Whether the new status shows progress over the stored one (DeploymentProgressing).</summary>
    public static bool IsProgressing(V1Deployment d, V1DeploymentStatus status)
    {
        var old = d.Status ?? new V1DeploymentStatus();
        var oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        var newOld = (status.Replicas ?? 0) - (status.UpdatedReplicas ?? 0);
        return (status.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0) || newOld < oldOld
            || (status.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0) || (status.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }

    /// <summary>Whether the Progressing condition was last updated longer ago than the deadline (DeploymentTimedOut).</summary>
    public static bool IsTimedOut(V1Deployment d, V1DeploymentStatus status, DateTime now)
    {
        if (!HasProgressDeadline(d)) return false;
        var condition = DeploymentConditions.Get(status, DeploymentConditions.Progressing);
        if (condition is null || condition.Reason == DeploymentConditions.NewReplicaSetAvailable) return false;
        if (condition.Reason == DeploymentConditions.ProgressDeadlineExceeded) return true;
        var from = condition.LastUpdateTime ?? now;
        return from.AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) < now;
    }
}
