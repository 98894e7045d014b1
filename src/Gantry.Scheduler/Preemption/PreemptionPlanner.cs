using Gantry.Client.Informers;
using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Preemption;

/// <summary>
/// The decisions of kube-scheduler's DefaultPreemption (pkg/scheduler/framework/preemption), free of API calls: whether
/// the pod may preempt, a dry run of victim selection on every node where preemption might help, and the pick of one
/// candidate. Also the filter pass that counts nominated pods of equal or higher priority on their nodes.
/// </summary>
internal sealed class PreemptionPlanner(SchedulingFramework framework, Nominator nominator, Func<string, bool> isAssumed, int parallelism)
{
    /// <summary>Status of nodes rejected for reasons no eviction can fix.</summary>
    public const string NotHelpful = "Preemption is not helpful for scheduling";

    // kube-scheduler's defaults: dry-run until max(10% of the nodes, 100) candidates that violate no budget are found.
    private const int MinCandidateNodesPercentage = 10;
    private const int MinCandidateNodesAbsolute = 100;

    /// <summary>
    /// addNominatedPods: the node with the pods nominated to it that are not the cycle's pod and do not rank below it,
    /// each added through the PreFilter extensions on a copy of <paramref name="state"/>; the inputs when there are none.
    /// </summary>
    public (CycleState State, NodeInfo Node) WithNominatedPods(CycleState state, NodeInfo node)
    {
        if (nominator.IsEmpty) return (state, node);
        var pod = state.Pod;
        var priority = pod.Spec.Priority ?? 0;
        var uid = pod.Metadata.Uid;
        var nominated = nominator.On(node.Name, p => p.Priority >= priority && p.Pod.Metadata.Uid != uid && !isAssumed(ObjectKey.Of(p.Pod)));
        if (nominated.Count == 0) return (state, node);
        var trial = new DryRunNode(framework, state, node);
        foreach (var entry in nominated) trial.Add(entry);
        return (trial.State, trial.Node);
    }

    /// <summary>
    /// RunFilterPluginsWithNominatedPods: the pod must fit with the nominated pods on the node, and (as they may never
    /// arrive) without them too.
    /// </summary>
    public Status RunFiltersWithNominatedPods(CycleState state, NodeInfo node)
    {
        var (withState, withNominated) = WithNominatedPods(state, node);
        var status = framework.RunFilters(withState, withNominated);
        return !status.IsSuccess || ReferenceEquals(withNominated, node) ? status : framework.RunFilters(state, node);
    }

    /// <summary>
    /// findNodesThatFitPod: the PreFilters, then <see cref="RunFiltersWithNominatedPods"/> and <paramref name="extra"/>
    /// (the VolumeBinding filter) on every node. A pod nominated to a node that now takes it gets that node alone
    /// (evaluateNominatedNode): the room was freed for it.
    /// </summary>
    public (List<NodeInfo> Feasible, Dictionary<string, Status> Rejected) Filter(CycleState state, Func<NodeInfo, Status>? extra = null)
    {
        var preFilter = framework.RunPreFilters(state);
        if (!preFilter.IsSuccess) return SchedulingFramework.RejectAll(state.Nodes, preFilter);
        var pod = state.Pod;
        var nominatedNode = string.IsNullOrEmpty(pod.Status?.NominatedNodeName) ? nominator.NodeOf(pod.Metadata.Uid) : pod.Status.NominatedNodeName;
        if (nominatedNode is not null && state.Nodes.FirstOrDefault(n => n.Name == nominatedNode) is { } nominated)
        {
            var (feasible, _) = framework.FilterNodes(state, [nominated], Fits);
            if (feasible.Count > 0) return (feasible, new Dictionary<string, Status>(StringComparer.Ordinal));
        }
        return framework.FilterNodes(state, state.Nodes, Fits);

        Status Fits(CycleState s, NodeInfo node)
        {
            var status = RunFiltersWithNominatedPods(s, node);
            return status.IsSuccess && extra is not null ? extra(node) : status;
        }
    }

    /// <summary>
    /// Preempt's decision for a pod no node fits (<paramref name="rejected"/> holds every node's filter status).
    /// <paramref name="preempting"/> is true while this pod's previous preemption is still being carried out.
    /// </summary>
    public PreemptionPlan Plan(CycleState state, IReadOnlyDictionary<string, Status> rejected,
        IReadOnlyList<V1PodDisruptionBudget> pdbs, bool preempting, DateTime now)
    {
        var pod = state.Pod;
        var nodes = state.Nodes;
        if (pod.Spec.PreemptionPolicy == "Never") return PreemptionPlan.Failed("not eligible due to preemptionPolicy=Never.");
        if (WaitsForVictims(pod, nodes, rejected, preempting))
            return PreemptionPlan.Failed("not eligible due to a terminating pod on the nominated node.");

        var potential = nodes.Where(n => rejected.TryGetValue(n.Name, out var s) && s.Code == StatusCode.Unschedulable).ToList();
        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        var (candidates, errors) = potential.Count == 0 ? ([], []) : DryRun(state, potential, pdbs, statuses, now);
        if (candidates.Count == 0)
        {
            if (errors.Count > 0) return PreemptionPlan.Failed(errors.Count == 1 ? errors[0] : $"[{string.Join(", ", errors)}]");
            foreach (var node in nodes) statuses.TryAdd(node.Name, Status.Unresolvable(NotHelpful));
            return PreemptionPlan.Failed(FitError.Histogram(nodes.Count, statuses), clearNomination: true);
        }
        return new PreemptionPlan(CandidatePicker.Pick(candidates, now), null, ClearNomination: false);
    }

    /// <summary>
    /// PodEligibleToPreemptOthers: a pod nominated to a node where a lower-priority pod is still terminating because of
    /// preemption waits for it instead of preempting again (unless the node now rejects it outright).
    /// </summary>
    private bool WaitsForVictims(V1Pod pod, IReadOnlyList<NodeInfo> nodes, IReadOnlyDictionary<string, Status> rejected, bool preempting)
    {
        var nominated = nominator.NodeOf(pod.Metadata.Uid) ?? pod.Status?.NominatedNodeName;
        if (string.IsNullOrEmpty(nominated)) return false;
        if (rejected.TryGetValue(nominated, out var status) && status.Code == StatusCode.UnschedulableAndUnresolvable) return false;
        if (preempting) return true;
        var priority = pod.Spec.Priority ?? 0;
        var node = nodes.FirstOrDefault(n => n.Name == nominated);
        return node is not null && node.Pods.Any(p => p.Priority < priority && IsTerminatingByPreemption(p.Pod));
    }

    /// <summary>Deleting, with the DisruptionTarget condition the preemption sets.</summary>
    public static bool IsTerminatingByPreemption(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is not null &&
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == DisruptionTarget.ConditionType) is { Status: "True", Reason: DisruptionTarget.PreemptionReason };

    /// <summary>
    /// DryRunPreemption: victims on each potential node, walked from a random offset in batches until enough candidates
    /// that violate no budget are found, each on a copy of the cycle state. Failing nodes' statuses go to
    /// <paramref name="statuses"/>.
    /// </summary>
    private (List<Candidate> Candidates, List<string> Errors) DryRun(CycleState state, List<NodeInfo> potential, IReadOnlyList<V1PodDisruptionBudget> pdbs,
        Dictionary<string, Status> statuses, DateTime now)
    {
        var wanted = Math.Min(potential.Count, Math.Max(potential.Count * MinCandidateNodesPercentage / 100, MinCandidateNodesAbsolute));
        var offset = Random.Shared.Next(potential.Count);
        var batch = Math.Max(1, parallelism);
        var priority = state.Pod.Spec.Priority ?? 0;
        var nonViolating = new List<Candidate>();
        var violating = new List<Candidate>();
        var errors = new List<string>();
        var pending = new List<NodeInfo>(batch);
        for (var next = 0; next < potential.Count && nonViolating.Count < wanted;)
        {
            // Nodes without a pod the preemptor outranks are settled at once (most nodes, when priorities are unused);
            // only the others are dry-run, a batch at a time.
            pending.Clear();
            for (; next < potential.Count && pending.Count < batch; next++)
            {
                var node = potential[(offset + next) % potential.Count];
                if (node.Pods.Any(p => p.Priority < priority)) pending.Add(node);
                else statuses[node.Name] = Status.Unresolvable(VictimSelection.NoVictims);
            }
            var results = new (List<V1Pod> Victims, int Violations, Status Status)[pending.Count];
            Parallel.For(0, pending.Count, new ParallelOptions { MaxDegreeOfParallelism = batch },
                i => results[i] = VictimSelection.Select(new DryRunNode(framework, state, pending[i]), pdbs, RunFiltersWithNominatedPods, now));
            for (var i = 0; i < pending.Count; i++)
            {
                var name = pending[i].Name;
                var (victims, violations, status) = results[i];
                if (!status.IsSuccess) statuses[name] = status;
                else if (victims.Count == 0) errors.Add($"expected at least one victim pod on node \"{name}\"");
                else (violations == 0 ? nonViolating : violating).Add(new Candidate(name, victims, violations));
            }
        }
        return ([.. nonViolating.Take(wanted), .. violating.Take(wanted)], errors);
    }
}
