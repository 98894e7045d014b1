using Gantry.Client.Selectors;
using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Preemption;

/// <summary>
/// DefaultPreemption's SelectVictimsOnNode: remove every pod of lower priority than the preemptor; if it then fits,
/// put them back one by one, most important first (those whose eviction would violate a PodDisruptionBudget before the
/// others), keeping back every pod without which the preemptor still fits. What cannot be put back are the victims.
/// </summary>
internal static class VictimSelection
{
    /// <summary>Status of a node without pods the preemptor outranks.</summary>
    public const string NoVictims = "No preemption victims found for incoming pod";

    /// <summary>
    /// The victims on <paramref name="trial"/>'s node (most important first) and how many of them violate a budget; or
    /// the status saying why preempting there does not help. <paramref name="fits"/> runs the filters (with nominated
    /// pods) on the trial's state and node, which the pods tried are removed from and put back on.
    /// </summary>
    public static (List<V1Pod> Victims, int PdbViolations, Status Status) Select(DryRunNode trial,
        IReadOnlyList<V1PodDisruptionBudget> pdbs, Func<CycleState, NodeInfo, Status> fits, DateTime now)
    {
        var priority = trial.State.Pod.Spec.Priority ?? 0;
        var potential = trial.Node.Pods.Where(p => p.Priority < priority).ToList();
        if (potential.Count == 0) return ([], 0, Status.Unresolvable(NoVictims));
        trial.Remove(potential);
        var status = fits(trial.State, trial.Node);
        if (!status.IsSuccess) return ([], 0, status);

        var order = PodImportance.MostImportantFirst(now);
        potential.Sort((a, b) => order(a.Pod, b.Pod));
        var (violating, nonViolating) = SplitByBudgetViolation(potential, pdbs);
        var victims = new List<V1Pod>();
        var violations = 0;
        foreach (var entry in violating)
        {
            if (!Reprieve(entry)) violations++;
        }
        foreach (var entry in nonViolating) Reprieve(entry);
        // Each group was walked most important first; merged, the victims are sorted again.
        if (violating.Count > 0 && nonViolating.Count > 0) victims.Sort(order);
        return (victims, violations, Status.Success);

        bool Reprieve(PodEntry entry)
        {
            trial.Add(entry);
            if (fits(trial.State, trial.Node).IsSuccess) return true;
            trial.Remove(entry);
            victims.Add(entry.Pod);
            return false;
        }
    }

    /// <summary>
    /// filterPodsWithPDBViolation: walking the pods in order, each one matching a budget takes one of its allowed
    /// disruptions; a pod that drives a budget below zero violates it. Pods the API server already counted as
    /// disrupted (status.disruptedPods) take nothing. Budgets with an empty selector match nothing here.
    /// </summary>
    public static (List<PodEntry> Violating, List<PodEntry> NonViolating) SplitByBudgetViolation(IReadOnlyList<PodEntry> pods,
        IReadOnlyList<V1PodDisruptionBudget> pdbs)
    {
        var allowed = pdbs.Select(p => p.Status?.DisruptionsAllowed ?? 0).ToArray();
        var violating = new List<PodEntry>();
        var nonViolating = new List<PodEntry>();
        foreach (var entry in pods)
        {
            var pod = entry.Pod;
            var violates = false;
            if (pod.Metadata.Labels is { Count: > 0 } labels)
            {
                for (var i = 0; i < pdbs.Count; i++)
                {
                    var pdb = pdbs[i];
                    if (pdb.Metadata.NamespaceProperty != pod.Metadata.NamespaceProperty) continue;
                    if (!LabelSelectors.MatchesNonEmpty(pdb.Spec?.Selector, labels)) continue;
                    if (pdb.Status?.DisruptedPods?.ContainsKey(pod.Metadata.Name) == true) continue;
                    if (--allowed[i] < 0) violates = true;
                }
            }
            (violates ? violating : nonViolating).Add(entry);
        }
        return (violating, nonViolating);
    }
}
