using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// kube-scheduler's PodTopologySpread. Filter (whenUnsatisfiable DoNotSchedule): placing the pod in the node's domain
/// must keep matching pods in domain + self - global minimum &lt;= maxSkew, the minimum being 0 while fewer than
/// minDomains domains exist. PreFilter counts matching pods per domain once, over the nodes each constraint's
/// inclusion policies admit. Score (ScheduleAnyway): see the scoring half. A pod without constraints of its own gets
/// the default constraints (<see cref="PodTopologySpreadArgs"/>), counting the pods its Services and workload select.
/// </summary>
internal sealed partial class PodTopologySpread : IPreFilterPlugin, IFilterPlugin, IPreFilterExtensions
{
    private readonly IReadOnlyList<V1TopologySpreadConstraint> _defaults;
    private readonly bool _systemDefaulted;
    private readonly Func<V1Pod, LabelMatcher>? _defaultSelector;

    /// <summary>
    /// The plugin with <paramref name="args"/> (system defaulting when null); the defaults select pods by
    /// <paramref name="defaultSelector"/> (kube-scheduler's DefaultSelector; without one no default applies).
    /// </summary>
    public PodTopologySpread(PodTopologySpreadArgs? args = null, Func<V1Pod, LabelMatcher>? defaultSelector = null)
    {
        args ??= new PodTopologySpreadArgs();
        _defaults = args.EffectiveConstraints();
        _systemDefaulted = args.DefaultingType == "System";
        _defaultSelector = defaultSelector;
    }

    /// <summary>Reason when placing the pod on the node would exceed a constraint's maxSkew.</summary>
    public const string ConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";

    /// <summary>Reason when the node lacks a constraint's topology key.</summary>
    public const string NodeLabelNotMatch = ConstraintsNotMatch + " (missing required label)";

    private const string PreFilterStateKey = "PreFilter/PodTopologySpread";
    private static readonly Status SkewRejected = Status.Unschedulable(ConstraintsNotMatch);
    private static readonly Status LabelRejected = Status.Unresolvable(NodeLabelNotMatch);

    /// <inheritdoc />
    public string Name => "PodTopologySpread";

    /// <inheritdoc />
    public Status PreFilter(CycleState state)
    {
        var pod = state.Pod;
        var constraints = Constraints(pod, "DoNotSchedule");
        if (constraints.Length == 0) return Status.Skip;
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var counts = NewCounts(constraints.Length);
        NodeParallel.Aggregate(state.Nodes, state.Parallelism, () => NewCounts(constraints.Length), (node, partial) =>
        {
            var labels = node.Node.Metadata.Labels;
            if (!PodTopologySpreadConstraint.NodeHasAllKeys(labels, constraints)) return;
            for (var i = 0; i < constraints.Length; i++)
            {
                var c = constraints[i];
                if (!c.Includes(pod, node.Node)) continue;
                // A domain counts (toward minDomains and the minimum) even without matching pods.
                var value = labels![c.TopologyKey];
                partial[i][value] = partial[i].GetValueOrDefault(value) + c.CountMatching(node.Pods, ns);
            }
        }, partial => AddCounts(counts, partial));
        state.Write(PreFilterStateKey, new PreFilterState(constraints, counts));
        return Status.Success;
    }

    /// <summary>The pod's own constraints with whenUnsatisfiable <paramref name="action"/>, or else the defaults'.</summary>
    private PodTopologySpreadConstraint[] Constraints(V1Pod pod, string action)
    {
        if (HasOwnConstraints(pod)) return PodTopologySpreadConstraint.Of(pod, action);
        if (_defaultSelector is null) return [];
        // The selector is looked up only when a default applies to this action (the system defaults have no DoNotSchedule).
        var defaults = _defaults.Where(c => c.WhenUnsatisfiable == action).ToList();
        if (defaults.Count == 0) return [];
        var selector = _defaultSelector(pod);
        return selector.IsEmpty ? [] : PodTopologySpreadConstraint.Defaults(defaults, selector);
    }

    private static bool HasOwnConstraints(V1Pod pod) => pod.Spec.TopologySpreadConstraints is { Count: > 0 };

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        var s = state.Read<PreFilterState>(PreFilterStateKey);
        if (s is null) return Status.Success;
        var labels = node.Node.Metadata.Labels;
        for (var i = 0; i < s.Constraints.Length; i++)
        {
            var c = s.Constraints[i];
            if (labels is null || !labels.TryGetValue(c.TopologyKey, out var value)) return LabelRejected;
            var self = c.Selector.Matches(pod.Metadata.Labels) ? 1 : 0;
            var skew = s.Counts[i].GetValueOrDefault(value) + self - s.GlobalMinimum(i);
            if (skew > c.MaxSkew) return SkewRejected;
        }
        return Status.Success;
    }

    /// <inheritdoc />
    public void AddPod(CycleState state, PodEntry added, NodeInfo node) => Update(state, added, node, 1);

    /// <inheritdoc />
    public void RemovePod(CycleState state, PodEntry removed, NodeInfo node) => Update(state, removed, node, -1);

    private static void Update(CycleState state, PodEntry entry, NodeInfo node, int delta)
    {
        var s = state.Read<PreFilterState>(PreFilterStateKey);
        var pod = state.Pod;
        var labels = node.Node.Metadata.Labels;
        if (s is null || entry.Pod.Metadata.NamespaceProperty != pod.Metadata.NamespaceProperty ||
            !PodTopologySpreadConstraint.NodeHasAllKeys(labels, s.Constraints)) return;
        for (var i = 0; i < s.Constraints.Length; i++)
        {
            var c = s.Constraints[i];
            if (!c.Selector.Matches(entry.Pod.Metadata.Labels) || !c.Includes(pod, node.Node)) continue;
            var value = labels![c.TopologyKey];
            s.Counts[i][value] = s.Counts[i].GetValueOrDefault(value) + delta;
            s.Recount(i);
        }
    }

    private static Dictionary<string, int>[] NewCounts(int constraints) =>
        [.. Enumerable.Range(0, constraints).Select(_ => new Dictionary<string, int>(StringComparer.Ordinal))];

    private static void AddCounts<T>(Dictionary<string, T>[] counts, Dictionary<string, T>[] partial) where T : System.Numerics.INumber<T>
    {
        for (var i = 0; i < counts.Length; i++)
        {
            foreach (var (value, count) in partial[i]) counts[i][value] = counts[i].GetValueOrDefault(value, T.Zero) + count;
        }
    }

    /// <summary>Matching pods per domain value, for each DoNotSchedule constraint.</summary>
    private sealed class PreFilterState(PodTopologySpreadConstraint[] constraints, Dictionary<string, int>[] counts) : ICycleStateData
    {
        public PodTopologySpreadConstraint[] Constraints => constraints;

        public Dictionary<string, int>[] Counts => counts;

        /// <summary>Each constraint's global minimum, kept current by <see cref="Recount"/>.</summary>
        private readonly int[] _minimums = [.. Enumerable.Range(0, constraints.Length).Select(i => Minimum(constraints[i], counts[i]))];

        public int GlobalMinimum(int i) => _minimums[i];

        public void Recount(int i) => _minimums[i] = Minimum(constraints[i], counts[i]);

        // Fewer eligible domains than minDomains: the global minimum is taken as 0.
        private static int Minimum(PodTopologySpreadConstraint constraint, Dictionary<string, int> counts) =>
            counts.Count == 0 || counts.Count < constraint.MinDomains ? 0 : counts.Values.Min();

        public ICycleStateData Clone() =>
            new PreFilterState(constraints, [.. counts.Select(c => new Dictionary<string, int>(c, StringComparer.Ordinal))]);
    }
}
