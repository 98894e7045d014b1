using Gantry.Client.Selectors;
using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// A topology spread constraint with kube-scheduler's defaults applied: minDomains 1, nodeAffinityPolicy Honor,
/// nodeTaintsPolicy Ignore, and matchLabelKeys merged into the selector from the pod's labels.
/// </summary>
internal sealed record PodTopologySpreadConstraint(int MaxSkew, string TopologyKey, LabelMatcher Selector, int MinDomains,
    bool HonorNodeAffinity, bool HonorNodeTaints)
{
    /// <summary>The constraints of <paramref name="pod"/> with whenUnsatisfiable <paramref name="action"/>.</summary>
    public static PodTopologySpreadConstraint[] Of(V1Pod pod, string action)
    {
        var constraints = pod.Spec.TopologySpreadConstraints;
        if (constraints is not { Count: > 0 }) return [];
        var labels = pod.Metadata.Labels ?? new Dictionary<string, string>();
        var result = new List<PodTopologySpreadConstraint>();
        foreach (var c in constraints)
        {
            if (c.WhenUnsatisfiable != action) continue;
            var sameAs = (c.MatchLabelKeys ?? []).Where(labels.ContainsKey).Select(k => KeyValuePair.Create(k, labels[k]));
            result.Add(new PodTopologySpreadConstraint(c.MaxSkew, c.TopologyKey, LabelMatcher.From(c.LabelSelector, sameAs),
                c.MinDomains ?? 1, c.NodeAffinityPolicy != "Ignore", c.NodeTaintsPolicy == "Honor"));
        }
        return [.. result];
    }

    /// <summary>
    /// Default constraints (already of one action) counting the pods <paramref name="selector"/> matches: their own
    /// selectors and matchLabelKeys give way to it, as in kube-scheduler's buildDefaultConstraints.
    /// </summary>
    public static PodTopologySpreadConstraint[] Defaults(IReadOnlyList<V1TopologySpreadConstraint> defaults, LabelMatcher selector) =>
    [
        .. defaults.Select(c => new PodTopologySpreadConstraint(c.MaxSkew, c.TopologyKey, selector, c.MinDomains ?? 1,
            c.NodeAffinityPolicy != "Ignore", c.NodeTaintsPolicy == "Honor")),
    ];

    /// <summary>Whether every constraint's topology key is a label of the node.</summary>
    public static bool NodeHasAllKeys(IDictionary<string, string>? labels, PodTopologySpreadConstraint[] constraints)
    {
        foreach (var c in constraints)
        {
            if (labels is null || !labels.ContainsKey(c.TopologyKey)) return false;
        }
        return true;
    }

    /// <summary>
    /// Whether the node's domain counts for this constraint: with nodeAffinityPolicy Honor the node must satisfy the
    /// pod's nodeSelector and required node affinity; with nodeTaintsPolicy Honor the pod must tolerate its
    /// NoSchedule/NoExecute taints.
    /// </summary>
    public bool Includes(V1Pod pod, V1Node node)
    {
        if (HonorNodeAffinity && !MatchesRequiredNodeAffinity(pod, node)) return false;
        if (!HonorNodeTaints) return true;
        foreach (var taint in node.Spec?.Taints ?? [])
        {
            if (taint.Effect is "NoSchedule" or "NoExecute" && !TaintToleration.Tolerates(pod.Spec.Tolerations, taint)) return false;
        }
        return true;
    }

    /// <summary>How many of <paramref name="pods"/> in namespace <paramref name="ns"/> the selector matches (terminating pods not counted).</summary>
    public int CountMatching(IReadOnlyList<PodEntry> pods, string ns)
    {
        // An empty selector counts nothing (kube-scheduler's countPodsMatchSelector).
        if (Selector.IsEmpty) return 0;
        var count = 0;
        foreach (var p in pods)
        {
            if (p.Pod.Metadata.DeletionTimestamp is null && p.Pod.Metadata.NamespaceProperty == ns && Selector.Matches(p.Pod.Metadata.Labels)) count++;
        }
        return count;
    }

    private static bool MatchesRequiredNodeAffinity(V1Pod pod, V1Node node)
    {
        var labels = node.Metadata.Labels;
        foreach (var (key, value) in pod.Spec.NodeSelector ?? new Dictionary<string, string>())
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value) return false;
        }
        var required = pod.Spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is null || (required.NodeSelectorTerms ?? []).Any(t => NodeSelectors.TermMatches(t, node));
    }
}
