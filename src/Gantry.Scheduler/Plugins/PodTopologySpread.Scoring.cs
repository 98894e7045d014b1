using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// Score half of PodTopologySpread (whenUnsatisfiable ScheduleAnyway): a node scores, per constraint, the matching pods
/// in its domain times log(domains + 2) plus maxSkew - 1; fewer is better (normalized reversed between the minimum and
/// maximum). Feasible nodes lacking a constraint's topology key score 0, except under the system defaults, where such a
/// node is scored by the constraints whose keys it has (a cluster without zones still spreads over hostnames).
/// </summary>
internal sealed partial class PodTopologySpread : IPreScorePlugin, IScorePlugin
{
    private const string PreScoreStateKey = "PreScore/PodTopologySpread";
    private const string HostnameLabel = "kubernetes.io/hostname";

    /// <inheritdoc />
    public int Weight => 2;

    /// <inheritdoc />
    public Status PreScore(CycleState state, IReadOnlyList<NodeInfo> feasible)
    {
        if (feasible.Count == 0 || state.Nodes.Count == 0) return Status.Skip;
        var pod = state.Pod;
        var constraints = Constraints(pod, "ScheduleAnyway");
        if (constraints.Length == 0) return Status.Skip;
        var requireAllKeys = HasOwnConstraints(pod) || !_systemDefaulted;
        var ignored = new HashSet<string>(StringComparer.Ordinal);
        var counts = NewScoreCounts(constraints.Length);
        foreach (var node in feasible)
        {
            var labels = node.Node.Metadata.Labels;
            if (requireAllKeys && !PodTopologySpreadConstraint.NodeHasAllKeys(labels, constraints))
            {
                ignored.Add(node.Name);
                continue;
            }
            // Only the domains of feasible nodes are counted; per-node (hostname) counts are taken in Score.
            for (var i = 0; i < constraints.Length; i++)
            {
                if (constraints[i].TopologyKey != HostnameLabel) counts[i].TryAdd(DomainOf(labels, constraints[i]), 0);
            }
        }
        var weights = new double[constraints.Length];
        for (var i = 0; i < constraints.Length; i++)
        {
            var size = constraints[i].TopologyKey == HostnameLabel ? feasible.Count - ignored.Count : counts[i].Count;
            // Weighting by log(domains + 2) keeps the counts of small topologies from being watered down by big ones.
            weights[i] = Math.Log(size + 2);
        }
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        // The workers read which domains count from this copy while finished workers merge into the counts.
        var domains = counts.Select(c => c.Keys.ToHashSet(StringComparer.Ordinal)).ToArray();
        NodeParallel.Aggregate(state.Nodes, state.Parallelism, () => NewScoreCounts(constraints.Length), (node, partial) =>
        {
            var labels = node.Node.Metadata.Labels;
            if (requireAllKeys && !PodTopologySpreadConstraint.NodeHasAllKeys(labels, constraints)) return;
            for (var i = 0; i < constraints.Length; i++)
            {
                var c = constraints[i];
                var value = DomainOf(labels, c);
                if (!domains[i].Contains(value) || !c.Includes(pod, node.Node)) continue;
                partial[i][value] = partial[i].GetValueOrDefault(value) + c.CountMatching(node.Pods, ns);
            }
        }, partial => AddCounts(counts, partial));
        state.Write(PreScoreStateKey, new PreScoreState(constraints, ignored, counts, weights));
        return Status.Success;
    }

    /// <inheritdoc />
    public long Score(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        var s = state.Read<PreScoreState>(PreScoreStateKey);
        if (s is null || s.Ignored.Contains(node.Name)) return 0;
        var labels = node.Node.Metadata.Labels;
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        double score = 0;
        for (var i = 0; i < s.Constraints.Length; i++)
        {
            var c = s.Constraints[i];
            if (labels is null || !labels.TryGetValue(c.TopologyKey, out var value)) continue;
            var count = c.TopologyKey == HostnameLabel ? c.CountMatching(node.Pods, ns) : s.Counts[i][value];
            // maxSkew - 1 waters down the differences between domains: the larger maxSkew, the more skew is tolerated.
            score += count * s.Weights[i] + (c.MaxSkew - 1);
        }
        return (long)Math.Round(score, MidpointRounding.AwayFromZero);
    }

    /// <inheritdoc />
    public void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores)
    {
        var s = state.Read<PreScoreState>(PreScoreStateKey);
        if (s is null) return;
        long min = long.MaxValue, max = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (s.Ignored.Contains(nodes[i].Name)) continue;
            min = Math.Min(min, scores[i]);
            max = Math.Max(max, scores[i]);
        }
        for (var i = 0; i < scores.Length; i++)
        {
            if (s.Ignored.Contains(nodes[i].Name)) scores[i] = 0;
            else if (max == 0) scores[i] = ScoreNormalizer.MaxNodeScore;
            else scores[i] = ScoreNormalizer.MaxNodeScore * (max + min - scores[i]) / max;
        }
    }

    // A node without the key (only scored under the system defaults) is in the "" domain, as upstream's topology pairs.
    private static string DomainOf(IDictionary<string, string>? labels, PodTopologySpreadConstraint c) =>
        labels is not null && labels.TryGetValue(c.TopologyKey, out var value) ? value : "";

    private static Dictionary<string, long>[] NewScoreCounts(int constraints) =>
        [.. Enumerable.Range(0, constraints).Select(_ => new Dictionary<string, long>(StringComparer.Ordinal))];

    /// <summary>The ScheduleAnyway constraints, the feasible nodes without their keys, and matching pods per domain value.</summary>
    private sealed class PreScoreState(PodTopologySpreadConstraint[] constraints, HashSet<string> ignored,
        Dictionary<string, long>[] counts, double[] weights) : ICycleStateData
    {
        public PodTopologySpreadConstraint[] Constraints => constraints;

        public HashSet<string> Ignored => ignored;

        public Dictionary<string, long>[] Counts => counts;

        public double[] Weights => weights;

        // Scoring state is never changed after PreScore.
        public ICycleStateData Clone() => this;
    }
}
