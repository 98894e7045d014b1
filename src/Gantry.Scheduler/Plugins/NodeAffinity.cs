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

    // Filter and Score run for every node of every cycle: loops, not LINQ over closures, so they allocate nothing.

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        var required = pod.Spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return SelectorMatches(pod.Spec.NodeSelector, node) && (required is null || AnyTermMatches(required.NodeSelectorTerms, node.Node))
            ? Status.Success
            : Status.Unresolvable("node(s) didn't match Pod's node affinity/selector");
    }

    /// <inheritdoc />
    public long Score(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        if (pod.Spec.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution is not { } preferred) return 0;
        long sum = 0;
        for (var i = 0; i < preferred.Count; i++)
        {
            var term = preferred[i];
            if (term.Weight != 0 && term.Preference is not null && Matches(term.Preference, node.Node)) sum += term.Weight;
        }
        return sum;
    }

    private static bool SelectorMatches(IDictionary<string, string>? selector, NodeInfo node)
    {
        if (selector is null) return true;
        var labels = node.Node.Metadata.Labels;
        foreach (var (key, value) in selector)
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value) return false;
        }
        return true;
    }

    private static bool AnyTermMatches(IList<V1NodeSelectorTerm>? terms, V1Node node)
    {
        if (terms is null) return false;
        for (var i = 0; i < terms.Count; i++)
        {
            if (Matches(terms[i], node)) return true;
        }
        return false;
    }

    /// <inheritdoc />
    public void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores) => ScoreNormalizer.Default(scores, reverse: false);

    /// <summary>Whether a node satisfies a node selector term.</summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node) => NodeSelectors.TermMatches(term, node);
}
