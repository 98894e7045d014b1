using System.Globalization;
using k8s.Models;

namespace Gantry.Controllers.Deployment;

/// <summary>The annotations the Deployment controller keeps on Deployments and their ReplicaSets.</summary>
public static class DeploymentAnnotations
{
    /// <summary>The rollout number of a ReplicaSet (and, on the Deployment, of its current ReplicaSet).</summary>
    public const string Revision = "deployment.kubernetes.io/revision";

    /// <summary>Earlier revision numbers a reused ReplicaSet had (comma-separated).</summary>
    public const string RevisionHistory = "deployment.kubernetes.io/revision-history";

    /// <summary>The Deployment's spec.replicas when the ReplicaSet was last sized.</summary>
    public const string DesiredReplicas = "deployment.kubernetes.io/desired-replicas";

    /// <summary>spec.replicas + maxSurge when the ReplicaSet was last sized (proportional scaling reads it).</summary>
    public const string MaxReplicas = "deployment.kubernetes.io/max-replicas";

    private const string LastAppliedConfig = "kubectl.kubernetes.io/last-applied-configuration";
    private const string DeprecatedRollbackTo = "deprecated.deployment.rollback.to";

    // Kubernetes' --deployment-controller max revision history length (in characters) for the history annotation.
    private const int MaxRevisionHistoryLength = 2000;

    internal static int? DesiredOf(V1ReplicaSet rs) => IntAnnotation(rs, DesiredReplicas);

    internal static int? MaxOf(V1ReplicaSet rs) => IntAnnotation(rs, MaxReplicas);

    private static int? IntAnnotation(V1ReplicaSet rs, string name) =>
        int.TryParse(Lookup(rs.Metadata.Annotations, name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>Whether the desired/max annotations differ from the Deployment's current sizes (ReplicasAnnotationsNeedUpdate).</summary>
    internal static bool ReplicasNeedUpdate(V1ReplicaSet rs, int desired, int max)
    {
        var annotations = rs.Metadata.Annotations;
        return annotations is null || Lookup(annotations, DesiredReplicas) != Text(desired)
            || Lookup(annotations, MaxReplicas) != Text(max);
    }

    /// <summary>Sets the desired/max annotations; true when something changed.</summary>
    internal static bool SetReplicas(V1ReplicaSet rs, int desired, int max)
    {
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        foreach (var (name, value) in new[] { (DesiredReplicas, Text(desired)), (MaxReplicas, Text(max)) })
        {
            if (Lookup(annotations, name) == value) continue;
            annotations[name] = value;
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// Copies the Deployment's own annotations onto its new ReplicaSet and raises the ReplicaSet's revision to
    /// <paramref name="newRevision"/>, remembering the old number in the history (SetNewReplicaSetAnnotations).
    /// </summary>
    internal static bool SetNewReplicaSet(V1Deployment d, V1ReplicaSet rs, long newRevision, bool exists, int maxSurge)
    {
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        foreach (var (key, value) in d.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (IsSkipped(key) || Lookup(annotations, key) == value) continue;
            annotations[key] = value;
            changed = true;
        }
        var hadRevision = annotations.TryGetValue(Revision, out var oldText);
        long oldRevision = 0;
        if (hadRevision && !long.TryParse(oldText, NumberStyles.None, CultureInfo.InvariantCulture, out oldRevision)) return changed;
        if (oldRevision < newRevision)
        {
            annotations[Revision] = Text(newRevision);
            changed = true;
            if (hadRevision) AppendHistory(annotations, oldText!);
        }
        if (!exists && SetReplicas(rs, ReplicaSetMath.Replicas(d), ReplicaSetMath.Replicas(d) + maxSurge)) changed = true;
        return changed;
    }

    private static void AppendHistory(IDictionary<string, string> annotations, string oldRevision)
    {
        var history = Lookup(annotations, RevisionHistory) ?? "";
        if (history.Length == 0)
        {
            annotations[RevisionHistory] = oldRevision;
            return;
        }
        var entries = history.Split(',').ToList();
        var total = history.Length + oldRevision.Length + 1;
        while (total > MaxRevisionHistoryLength && entries.Count > 0)
        {
            total -= entries[0].Length + 1;
            entries.RemoveAt(0);
        }
        if (total > MaxRevisionHistoryLength) return;
        entries.Add(oldRevision);
        annotations[RevisionHistory] = string.Join(",", entries);
    }

    /// <summary>Sets the Deployment's revision annotation; true when it changed (SetDeploymentRevision).</summary>
    internal static bool SetDeploymentRevision(V1Deployment d, string revision)
    {
        var annotations = d.Metadata.Annotations ??= new Dictionary<string, string>();
        if (Lookup(annotations, Revision) == revision) return false;
        annotations[Revision] = revision;
        return true;
    }

    internal static string? Lookup(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static bool IsSkipped(string key) =>
        key is LastAppliedConfig or Revision or RevisionHistory or DesiredReplicas or MaxReplicas or DeprecatedRollbackTo;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
