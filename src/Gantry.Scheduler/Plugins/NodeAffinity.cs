using Gantry.Client.Selectors;
using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// Filter: spec.nodeSelector and the required node affinity terms (ORed; each term's expressions and fields ANDed).
/// Score: the summed weights of the preferred terms the node matches, scaled so the best node gets 100.
/// </summary>
internal sealed class NodeAffinity : IFilterPlugin, IScorePlugin
{
    /// <inheritdoc />
    public string Name => "NodeAffinity";

    /// <inheritdoc />
    public int Weight => 2;

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        var labels = node.Node.Metadata.Labels ?? new Dictionary<string, string>();
        var selectorMatches = pod.Spec.NodeSelector?.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value) ?? true;
        var required = pod.Spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        var affinityMatches = required is null || (required.NodeSelectorTerms ?? []).Any(t => Matches(t, node.Node));
        return selectorMatches && affinityMatches ? Status.Success : Status.Unresolvable("node(s) didn't match Pod's node affinity/selector");
    }

    /// <inheritdoc />
    public long Score(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node) =>
        (pod.Spec.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            .Where(t => t.Weight != 0 && t.Preference is not null && Matches(t.Preference, node.Node))
            .Sum(t => (long)t.Weight);

    /// <inheritdoc />
    public void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores) => ScoreNormalizer.Default(scores, reverse: false);

    /// <summary>Whether a node satisfies a node selector term.</summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node) => NodeSelectors.TermMatches(term, node);
}
