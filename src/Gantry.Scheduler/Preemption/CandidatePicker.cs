using k8s.Models;

namespace Gantry.Scheduler.Preemption;

/// <summary>
/// kube-scheduler's pickOneNodeForPreemption: each criterion in turn keeps the best-scoring candidates, until one is
/// left (fewest PodDisruptionBudget violations, lowest highest-victim priority, smallest sum of victim priorities,
/// fewest victims, latest start of the highest-priority victims); remaining ties go to the first candidate.
/// </summary>
internal static class CandidatePicker
{
    /// <summary>The chosen candidate, or null when there is none.</summary>
    public static Candidate? Pick(IReadOnlyList<Candidate> candidates, DateTime now)
    {
        if (candidates.Count <= 1) return candidates.Count == 0 ? null : candidates[0];
        Func<Candidate, long>[] criteria =
        [
            c => -c.PdbViolations,
            c => -(long)(c.Victims[0].Spec.Priority ?? 0),
            // Shifting every priority to be non-negative keeps a few negative-priority victims from beating fewer ones.
            c => -c.Victims.Sum(v => (long)(v.Spec.Priority ?? 0) + int.MaxValue + 1L),
            c => -c.Victims.Count,
            c => EarliestStartOfHighestPriority(c.Victims, now).Ticks,
        ];
        var remaining = candidates.ToList();
        foreach (var score in criteria)
        {
            var best = long.MinValue;
            var kept = new List<Candidate>();
            foreach (var candidate in remaining)
            {
                var value = score(candidate);
                if (value > best)
                {
                    best = value;
                    kept.Clear();
                }
                if (value == best) kept.Add(candidate);
            }
            if (kept.Count == 1) return kept[0];
            remaining = kept;
        }
        return remaining[0];
    }

    /// <summary>GetEarliestPodStartTime: the earliest start among the victims of the highest priority.</summary>
    private static DateTime EarliestStartOfHighestPriority(IReadOnlyList<V1Pod> victims, DateTime now)
    {
        var highest = victims.Max(v => v.Spec.Priority ?? 0);
        return victims.Where(v => (v.Spec.Priority ?? 0) == highest).Min(v => PodImportance.StartTime(v, now));
    }
}
