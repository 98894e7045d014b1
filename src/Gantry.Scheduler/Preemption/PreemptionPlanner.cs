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

    /// <summary>The node with the pods nominated to it that are not <paramref name="pod"/> and do not rank below it.</summary>
    public NodeInfo WithNominatedPods(V1Pod pod, NodeInfo node)
    {
        if (nominator.IsEmpty) return node;
        var priority = pod.Spec.Priority ?? 0;
        var uid = pod.Metadata.Uid;
        var nominated = nominator.On(node.Name, p => p.Priority >= priority && p.Pod.Metadata.Uid != uid && !isAssumed(ObjectKey.Of(p.Pod)));
        return nominated.Count == 0 ? node : new NodeInfo(node.Node, [.. node.Pods, .. nominated]);
    }

    /// <summary>
    /// RunFilterPluginsWithNominatedPods: the pod must fit with the nominated pods on the node, and (as they may never
    /// arrive) without them too.
    /// </summary>
    public Status RunFiltersWithNominatedPods(V1Pod pod, PodRequests requests, NodeInfo node)
    {
        var withNominated = WithNominatedPods(pod, node);
        var status = framework.RunFilters(pod, requests, withNominated);
        return !status.IsSuccess || ReferenceEquals(withNominated, node) ? status : framework.RunFilters(pod, requests, node);
    }

    /// <summary>
    /// The framework's filter over every node, counting nominated pods as <see cref="RunFiltersWithNominatedPods"/>. A pod
    /// nominated to a node that now takes it gets that node alone (evaluateNominatedNode): the room was freed for it.
    /// </summary>
    public (List<NodeInfo> Feasible, Dictionary<string, Status> Rejected) Filter(V1Pod pod, PodRequests requests, IReadOnlyList<NodeInfo> nodes)
    {
        var nominatedNode = string.IsNullOrEmpty(pod.Status?.NominatedNodeName) ? nominator.NodeOf(pod.Metadata.Uid) : pod.Status.NominatedNodeName;
        if (nominatedNode is not null && nodes.FirstOrDefault(n => n.Name == nominatedNode) is { } nominated &&
            RunFiltersWithNominatedPods(pod, requests, nominated).IsSuccess)
        {
            return ([nominated], new Dictionary<string, Status>(StringComparer.Ordinal));
        }
        if (nominator.IsEmpty) return framework.Filter(pod, requests, nodes);
        Dictionary<NodeInfo, NodeInfo>? originals = null;
        var withNominated = new NodeInfo[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            withNominated[i] = WithNominatedPods(pod, nodes[i]);
            if (ReferenceEquals(withNominated[i], nodes[i])) continue;
            originals ??= new Dictionary<NodeInfo, NodeInfo>(ReferenceEqualityComparer.Instance);
            originals[withNominated[i]] = nodes[i];
        }
        if (originals is null) return framework.Filter(pod, requests, nodes);
        var (feasible, rejected) = framework.Filter(pod, requests, withNominated);
        var result = new List<NodeInfo>(feasible.Count);
        foreach (var node in feasible)
        {
            if (!originals.TryGetValue(node, out var original))
            {
                result.Add(node);
                continue;
            }
            // Scoring sees the node as it is; the nominated pods only reserve room.
            var status = framework.RunFilters(pod, requests, original);
            if (status.IsSuccess) result.Add(original);
            else rejected[original.Name] = status;
        }
        return (result, rejected);
    }

    /// <summary>
    /// Preempt's decision for a pod no node fits (<paramref name="rejected"/> holds every node's filter status).
    /// <paramref name="preempting"/> is true while this pod's previous preemption is still being carried out.
    /// </summary>
    public PreemptionPlan Plan(V1Pod pod, IReadOnlyList<NodeInfo> nodes, IReadOnlyDictionary<string, Status> rejected,
        IReadOnlyList<V1PodDisruptionBudget> pdbs, bool preempting, DateTime now)
    {
        if (pod.Spec.PreemptionPolicy == "Never") return PreemptionPlan.Failed("not eligible due to preemptionPolicy=Never.");
        if (WaitsForVictims(pod, nodes, rejected, preempting))
            return PreemptionPlan.Failed("not eligible due to a terminating pod on the nominated node.");

        var potential = nodes.Where(n => rejected.TryGetValue(n.Name, out var s) && s.Code == StatusCode.Unschedulable).ToList();
        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        var (candidates, errors) = potential.Count == 0 ? ([], []) : DryRun(pod, potential, pdbs, statuses, now);
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
    /// that violate no budget are found. Failing nodes' statuses go to <paramref name="statuses"/>.
    /// </summary>
    private (List<Candidate> Candidates, List<string> Errors) DryRun(V1Pod pod, List<NodeInfo> potential, IReadOnlyList<V1PodDisruptionBudget> pdbs,
        Dictionary<string, Status> statuses, DateTime now)
    {
        var wanted = Math.Min(potential.Count, Math.Max(potential.Count * MinCandidateNodesPercentage / 100, MinCandidateNodesAbsolute));
        var offset = Random.Shared.Next(potential.Count);
        var batch = Math.Max(1, parallelism);
        var priority = pod.Spec.Priority ?? 0;
        var nonViolating = new List<Candidate>();
        var violating = new List<Candidate>();
        var errors = new List<string>();
        var requests = PodRequests.Of(pod);
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
                i => results[i] = VictimSelection.Select(pod, pending[i], pdbs, n => RunFiltersWithNominatedPods(pod, requests, n), now));
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
