using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// kube-scheduler's InterPodAffinity. Filter: the pod's required affinity terms must each find a matching pod in the
/// node's domain (or, for the first pod of a group, match the pod itself), its required anti-affinity terms must find
/// none, and no existing pod's required anti-affinity term may select it in the node's domain. PreFilter counts all of
/// this per topology domain once, so Filter is a few dictionary lookups; it skips when neither the pod nor any existing
/// pod has such terms. Score: see the scoring half of this class.
/// </summary>
internal sealed partial class InterPodAffinity : IPreFilterPlugin, IFilterPlugin, IPreFilterExtensions
{
    /// <summary>Reason when a required affinity term finds no pod in the node's domain.</summary>
    public const string AffinityRulesNotMatch = "node(s) didn't match pod affinity rules";

    /// <summary>Reason when a required anti-affinity term of the pod finds a pod in the node's domain.</summary>
    public const string AntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

    /// <summary>Reason when an existing pod's required anti-affinity term selects the pod in the node's domain.</summary>
    public const string ExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

    private const string PreFilterStateKey = "PreFilter/InterPodAffinity";
    private static readonly Status AffinityRejected = Status.Unresolvable(AffinityRulesNotMatch);
    private static readonly Status AntiAffinityRejected = Status.Unschedulable(AntiAffinityRulesNotMatch);
    private static readonly Status ExistingAntiAffinityRejected = Status.Unschedulable(ExistingAntiAffinityRulesNotMatch);
    private static readonly Dictionary<string, string> NoLabels = [];
    private readonly NamespaceIndex _namespaces;

    /// <summary>The plugin, resolving namespace selectors against <paramref name="namespaces"/>.</summary>
    public InterPodAffinity(NamespaceIndex namespaces) => _namespaces = namespaces;

    /// <inheritdoc />
    public string Name => "InterPodAffinity";

    /// <inheritdoc />
    public Status PreFilter(CycleState state)
    {
        var pod = state.Pod;
        var namespaceLabels = _namespaces.Labels(pod.Metadata.NamespaceProperty ?? "default");
        var existing = new TopologyCounts();
        foreach (var node in state.Snapshot.HavePodsWithRequiredAntiAffinity)
        {
            foreach (var other in node.PodsWithRequiredAntiAffinity)
                AddMatchingTerms(existing, other.Affinity!.RequiredAntiAffinity, pod, namespaceLabels, node, 1);
        }
        var terms = PodAffinityTerms.Of(pod)?.WithSelectedNamespaces(_namespaces);
        var required = terms is not null && (terms.RequiredAffinity.Length > 0 || terms.RequiredAntiAffinity.Length > 0);
        if (existing.Count == 0 && !required) return Status.Skip;

        var filterState = new PreFilterState(terms, namespaceLabels, existing, new TopologyCounts(), new TopologyCounts());
        if (required)
        {
            NodeParallel.Aggregate(state.Nodes, state.Parallelism, () => (Affinity: new TopologyCounts(), AntiAffinity: new TopologyCounts()),
                (node, partial) =>
                {
                    foreach (var other in node.Pods) filterState.CountIncomingMatches(partial.Affinity, partial.AntiAffinity, other.Pod, node, 1);
                },
                filterState.Add);
        }
        state.Write(PreFilterStateKey, filterState);
        return Status.Success;
    }

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        var s = state.Read<PreFilterState>(PreFilterStateKey);
        if (s is null) return Status.Success;
        var labels = node.Node.Metadata.Labels ?? NoLabels;
        if (!s.SatisfiesAffinity(pod, labels)) return AffinityRejected;
        if (!s.SatisfiesAntiAffinity(labels)) return AntiAffinityRejected;
        if (!s.SatisfiesExistingAntiAffinity(labels)) return ExistingAntiAffinityRejected;
        return Status.Success;
    }

    /// <inheritdoc />
    public void AddPod(CycleState state, PodEntry added, NodeInfo node) => state.Read<PreFilterState>(PreFilterStateKey)?.Update(state.Pod, added, node, 1);

    /// <inheritdoc />
    public void RemovePod(CycleState state, PodEntry removed, NodeInfo node) => state.Read<PreFilterState>(PreFilterStateKey)?.Update(state.Pod, removed, node, -1);

    /// <summary>Adds <paramref name="delta"/> to the node's domain of each of <paramref name="terms"/> that selects <paramref name="pod"/>.</summary>
    private static void AddMatchingTerms(TopologyCounts counts, AffinityTerm[] terms, V1Pod pod, IDictionary<string, string>? namespaceLabels,
        NodeInfo node, long delta)
    {
        var labels = node.Node.Metadata.Labels;
        if (labels is null) return;
        foreach (var term in terms)
        {
            if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(pod, namespaceLabels))
                counts.Add(new TopologyPair(term.TopologyKey, value), delta);
        }
    }

    private static bool MatchesAll(AffinityTerm[] terms, V1Pod pod)
    {
        foreach (var term in terms)
        {
            if (!term.Matches(pod, null)) return false;
        }
        return terms.Length > 0;
    }

    /// <summary>What PreFilter counted: per domain, the matches of existing anti-affinity, and of the pod's own terms.</summary>
    private sealed class PreFilterState(
        PodAffinityTerms? terms, IDictionary<string, string>? namespaceLabels,
        TopologyCounts existingAntiAffinity, TopologyCounts affinity, TopologyCounts antiAffinity) : ICycleStateData
    {
        private readonly AffinityTerm[] _requiredAffinity = terms?.RequiredAffinity ?? [];
        private readonly AffinityTerm[] _requiredAntiAffinity = terms?.RequiredAntiAffinity ?? [];

        public ICycleStateData Clone() =>
            new PreFilterState(terms, namespaceLabels, existingAntiAffinity.Clone(), affinity.Clone(), antiAffinity.Clone());

        /// <summary>Adds partial counts of <see cref="CountIncomingMatches"/>.</summary>
        public void Add((TopologyCounts Affinity, TopologyCounts AntiAffinity) partial)
        {
            affinity.Add(partial.Affinity);
            antiAffinity.Add(partial.AntiAffinity);
        }

        /// <summary>Counts an existing pod against the incoming pod's required terms, into the given counts.</summary>
        public void CountIncomingMatches(TopologyCounts affinityCounts, TopologyCounts antiAffinityCounts, V1Pod existing, NodeInfo node, long delta)
        {
            // An existing pod counts for affinity only when it matches every required affinity term (kube-scheduler's
            // updateWithAffinityTerms); the incoming pod's terms have their namespace selectors resolved already.
            if (_requiredAffinity.Length > 0 && MatchesAll(_requiredAffinity, existing))
            {
                var labels = node.Node.Metadata.Labels ?? NoLabels;
                foreach (var term in _requiredAffinity)
                {
                    if (labels.TryGetValue(term.TopologyKey, out var value)) affinityCounts.Add(new TopologyPair(term.TopologyKey, value), delta);
                }
            }
            if (_requiredAntiAffinity.Length > 0) AddMatchingTerms(antiAffinityCounts, _requiredAntiAffinity, existing, null, node, delta);
        }

        /// <summary>Adds or removes one existing pod (preemption's what-if).</summary>
        public void Update(V1Pod incoming, PodEntry existing, NodeInfo node, long delta)
        {
            if (existing.Affinity is { RequiredAntiAffinity.Length: > 0 } other)
                AddMatchingTerms(existingAntiAffinity, other.RequiredAntiAffinity, incoming, namespaceLabels, node, delta);
            CountIncomingMatches(affinity, antiAffinity, existing.Pod, node, delta);
        }

        public bool SatisfiesAffinity(V1Pod pod, IDictionary<string, string> labels)
        {
            var podsExist = true;
            foreach (var term in _requiredAffinity)
            {
                // Every term's topology label must exist on the node.
                if (!labels.TryGetValue(term.TopologyKey, out var value)) return false;
                if (affinity[new TopologyPair(term.TopologyKey, value)] <= 0) podsExist = false;
            }
            // The first pod of a group that has affinity to itself: when no pod anywhere matches the terms, a pod
            // matching its own terms may go to any node that has the topology labels.
            return podsExist || (affinity.Count == 0 && MatchesAll(_requiredAffinity, pod));
        }

        public bool SatisfiesAntiAffinity(IDictionary<string, string> labels)
        {
            if (antiAffinity.Count == 0) return true;
            foreach (var term in _requiredAntiAffinity)
            {
                if (labels.TryGetValue(term.TopologyKey, out var value) && antiAffinity[new TopologyPair(term.TopologyKey, value)] > 0) return false;
            }
            return true;
        }

        public bool SatisfiesExistingAntiAffinity(IDictionary<string, string> labels)
        {
            if (existingAntiAffinity.Count == 0) return true;
            foreach (var (key, value) in labels)
            {
                if (existingAntiAffinity[new TopologyPair(key, value)] > 0) return false;
            }
            return true;
        }
    }
}
