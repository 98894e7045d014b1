using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// Score half of InterPodAffinity: per topology domain, the weights of the pod's preferred terms that existing pods
/// match (anti-affinity subtracting), plus the existing pods' preferred terms and (with weight 1) required affinity
/// terms that the pod matches; a node scores the sum over its domains, normalized min..max onto 0..100.
/// </summary>
internal sealed partial class InterPodAffinity : IPreScorePlugin, IScorePlugin
{
    /// <summary>kube-scheduler's default hardPodAffinityWeight: what an existing pod's required affinity term counts for.</summary>
    public const int HardPodAffinityWeight = 1;

    private const string PreScoreStateKey = "PreScore/InterPodAffinity";

    /// <inheritdoc />
    public int Weight => 2;

    /// <inheritdoc />
    public Status PreScore(CycleState state, IReadOnlyList<NodeInfo> feasible)
    {
        if (feasible.Count == 0) return Status.Skip;
        var pod = state.Pod;
        var terms = PodAffinityTerms.Of(pod)?.WithSelectedNamespaces(_namespaces);
        var hasConstraints = terms is not null && (terms.PreferredAffinity.Length > 0 || terms.PreferredAntiAffinity.Length > 0);
        var namespaceLabels = _namespaces.Labels(pod.Metadata.NamespaceProperty ?? "default");
        var scores = NewScores();
        // Unless the pod has preferred terms of its own, only nodes with pods with affinity can contribute.
        var nodes = hasConstraints ? state.Nodes : state.Snapshot.HavePodsWithAffinity;
        NodeParallel.Aggregate(nodes, hasConstraints ? state.Parallelism : 1, NewScores, (node, partial) =>
        {
            // Unless the pod has preferred terms of its own, only existing pods with affinity can contribute.
            var pods = hasConstraints ? node.Pods : node.PodsWithAffinity;
            if (pods.Count == 0 || node.Node.Metadata.Labels is not { Count: > 0 } labels) return;
            foreach (var existing in pods)
            {
                if (terms is not null)
                {
                    // The pod's own terms have their namespace selectors resolved: no namespace labels needed.
                    AddWeights(partial, terms.PreferredAffinity, existing.Pod, null, labels, 1);
                    AddWeights(partial, terms.PreferredAntiAffinity, existing.Pod, null, labels, -1);
                }
                if (existing.Affinity is not { } other) continue;
                foreach (var term in other.RequiredAffinity) AddWeight(partial, term, HardPodAffinityWeight, pod, namespaceLabels, labels);
                AddWeights(partial, other.PreferredAffinity, pod, namespaceLabels, labels, 1);
                AddWeights(partial, other.PreferredAntiAffinity, pod, namespaceLabels, labels, -1);
            }
        }, partial => Merge(scores, partial));
        if (scores.Count == 0) return Status.Skip;
        state.Write(PreScoreStateKey, new PreScoreState(scores));
        return Status.Success;
    }

    /// <inheritdoc />
    public long Score(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        var s = state.Read<PreScoreState>(PreScoreStateKey);
        var labels = node.Node.Metadata.Labels;
        if (s is null || labels is null) return 0;
        long score = 0;
        foreach (var (key, values) in s.Scores)
        {
            if (labels.TryGetValue(key, out var value)) score += values.GetValueOrDefault(value);
        }
        return score;
    }

    /// <inheritdoc />
    public void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores)
    {
        if (scores.Length == 0) return;
        var min = scores.Min();
        var range = scores.Max() - min;
        for (var i = 0; i < scores.Length; i++)
            scores[i] = range > 0 ? (long)(ScoreNormalizer.MaxNodeScore * ((double)(scores[i] - min) / range)) : 0;
    }

    private static Dictionary<string, Dictionary<string, long>> NewScores() => new(StringComparer.Ordinal);

    private static void Merge(Dictionary<string, Dictionary<string, long>> scores, Dictionary<string, Dictionary<string, long>> partial)
    {
        foreach (var (key, values) in partial)
        {
            if (!scores.TryGetValue(key, out var merged)) scores[key] = merged = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (value, score) in values) merged[value] = merged.GetValueOrDefault(value) + score;
        }
    }

    private static void AddWeights(Dictionary<string, Dictionary<string, long>> scores, WeightedAffinityTerm[] terms, V1Pod pod,
        IDictionary<string, string>? namespaceLabels, IDictionary<string, string> nodeLabels, int sign)
    {
        foreach (var weighted in terms) AddWeight(scores, weighted.Term, weighted.Weight * sign, pod, namespaceLabels, nodeLabels);
    }

    private static void AddWeight(Dictionary<string, Dictionary<string, long>> scores, AffinityTerm term, long weight, V1Pod pod,
        IDictionary<string, string>? namespaceLabels, IDictionary<string, string> nodeLabels)
    {
        if (!nodeLabels.TryGetValue(term.TopologyKey, out var value) || !term.Matches(pod, namespaceLabels)) return;
        if (!scores.TryGetValue(term.TopologyKey, out var values)) scores[term.TopologyKey] = values = new Dictionary<string, long>(StringComparer.Ordinal);
        values[value] = values.GetValueOrDefault(value) + weight;
    }

    /// <summary>The score of each topology domain (key, then value).</summary>
    private sealed class PreScoreState(Dictionary<string, Dictionary<string, long>> scores) : ICycleStateData
    {
        public Dictionary<string, Dictionary<string, long>> Scores => scores;

        // Scoring state is never changed after PreScore.
        public ICycleStateData Clone() => this;
    }
}
