using Gantry.Client.Selectors;
using System.Globalization;
using k8s.Models;

namespace Gantry.Controllers.DaemonSet;

/// <summary>
/// Which nodes a DaemonSet runs on (Kubernetes' NodeShouldRunDaemonPod): the template's nodeName, nodeSelector and
/// required node affinity must match, and every NoSchedule/NoExecute taint must be tolerated by the pod's tolerations
/// (its own plus the ones every daemon pod gets).
/// </summary>
internal static class NodeEligibility
{
    /// <summary>
    /// Whether a daemon pod should be created on the node, and whether one already there may keep running (a node
    /// that gains an untolerated NoSchedule taint keeps its pod; an untolerated NoExecute taint evicts it).
    /// </summary>
    public static (bool ShouldRun, bool ShouldContinueRunning) Evaluate(V1Node node, V1DaemonSet ds)
    {
        var spec = ds.Spec.Template.Spec;
        if (!string.IsNullOrEmpty(spec.NodeName) && spec.NodeName != node.Metadata.Name) return (false, false);
        if (!MatchesNodeSelector(spec, node) || !MatchesRequiredAffinity(spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, node))
            return (false, false);
        var tolerations = DaemonPods.WithDaemonTolerations(spec.Tolerations, spec.HostNetwork == true);
        var untolerated = (node.Spec?.Taints ?? []).Where(t => t.Effect is "NoSchedule" or "NoExecute" && !tolerations.Any(o => Tolerates(o, t))).ToList();
        if (untolerated.Count == 0) return (true, true);
        return (false, !untolerated.Any(t => t.Effect == "NoExecute"));
    }

    /// <summary>Whether a toleration tolerates a taint (empty key with Exists tolerates every key; empty effect every effect).</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    private static bool MatchesNodeSelector(V1PodSpec spec, V1Node node)
    {
        if (spec.NodeSelector is not { Count: > 0 } selector) return true;
        var labels = node.Metadata.Labels;
        return selector.All(p => labels is not null && labels.TryGetValue(p.Key, out var value) && value == p.Value);
    }

    private static bool MatchesRequiredAffinity(V1NodeSelector? required, V1Node node) =>
        required?.NodeSelectorTerms is not { } terms || terms.Any(term => MatchesTerm(term, node));

    private static bool MatchesTerm(V1NodeSelectorTerm term, V1Node node) => NodeSelectors.TermMatches(term, node);
}
