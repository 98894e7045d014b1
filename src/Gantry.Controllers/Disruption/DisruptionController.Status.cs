using k8s.Models;

namespace Gantry.Controllers.Disruption;

public sealed partial class DisruptionController
{
    private const string DisruptionAllowedCondition = "DisruptionAllowed";

    /// <summary>
    /// Keeps the evictions still expected to complete (pods named in disruptedPods, not yet being deleted, within the
    /// deletion timeout); a pod that overstayed gets a NotDeleted warning and counts again. Returns when to look again.
    /// </summary>
    private (Dictionary<string, DateTime?> Disrupted, DateTimeOffset? Recheck) BuildDisruptedPods(List<V1Pod> pods, V1PodDisruptionBudget budget,
        DateTimeOffset now)
    {
        var result = new Dictionary<string, DateTime?>(StringComparer.Ordinal);
        DateTimeOffset? recheck = null;
        if (budget.Status?.DisruptedPods is not { } recorded) return (result, recheck);
        foreach (var pod in pods)
        {
            if (pod.Metadata.DeletionTimestamp is not null || !recorded.TryGetValue(pod.Name(), out var at) || at is not { } disruptedAt) continue;
            var expectedDeletion = new DateTimeOffset(DateTime.SpecifyKind(disruptedAt, DateTimeKind.Utc)) + _options.DeletionTimeout;
            if (expectedDeletion < now)
            {
                // Upstream names the budget namespace twice here; the budget's name is what helps.
                _recorder.Warning(pod, "NotDeleted", $"Pod was expected by PDB {budget.Namespace()}/{budget.Name()} to be deleted but it wasn't");
                continue;
            }
            if (recheck is null || expectedDeletion < recheck) recheck = expectedDeletion;
            result[pod.Name()] = disruptedAt;
        }
        return (result, recheck);
    }

    /// <summary>Ready pods not being deleted and not just evicted.</summary>
    private int CountHealthy(List<V1Pod> pods, Dictionary<string, DateTime?> disrupted, DateTimeOffset now) =>
        pods.Count(pod => pod.Metadata.DeletionTimestamp is null
            && !(disrupted.TryGetValue(pod.Name(), out var at) && at is { } disruptedAt
                && new DateTimeOffset(DateTime.SpecifyKind(disruptedAt, DateTimeKind.Utc)) + _options.DeletionTimeout > now)
            && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);

    private async Task UpdateStatusAsync(V1PodDisruptionBudget budget, int healthy, int desired, int expected, Dictionary<string, DateTime?> disrupted,
        CancellationToken cancellationToken)
    {
        // No disruption while nothing is expected: a budget whose first pods just appeared is safe until counted.
        var allowed = expected <= 0 ? 0 : Math.Max(healthy - desired, 0);
        var status = budget.Status;
        var generation = budget.Metadata.Generation ?? 0;
        if (status is not null && status.CurrentHealthy == healthy && status.DesiredHealthy == desired && status.ExpectedPods == expected
            && status.DisruptionsAllowed == allowed && SameDisrupted(status.DisruptedPods, disrupted) && status.ObservedGeneration == generation
            && ConditionUpToDate(status, generation))
            return;
        var updated = Client.ObjectCopy.DeepCopy(budget);
        updated.Status = new V1PodDisruptionBudgetStatus
        {
            CurrentHealthy = healthy,
            DesiredHealthy = desired,
            ExpectedPods = expected,
            DisruptionsAllowed = allowed,
            DisruptedPods = disrupted.Count > 0 ? disrupted : null,
            ObservedGeneration = generation,
            Conditions = updated.Status?.Conditions?.ToList() ?? [],
        };
        SetCondition(updated.Status, allowed > 0
            ? new V1Condition { Type = DisruptionAllowedCondition, Status = "True", Reason = "SufficientPods", Message = "", ObservedGeneration = generation }
            : new V1Condition { Type = DisruptionAllowedCondition, Status = "False", Reason = "InsufficientPods", Message = "", ObservedGeneration = generation });
        await _context.Client.For<V1PodDisruptionBudget>().UpdateStatusAsync(updated, cancellationToken);
    }

    /// <summary>After a failed sync, at least make sure no eviction is allowed (upstream's failSafe).</summary>
    private async Task FailSafeAsync(V1PodDisruptionBudget budget, string error, CancellationToken cancellationToken)
    {
        var updated = Client.ObjectCopy.DeepCopy(budget);
        updated.Status ??= new V1PodDisruptionBudgetStatus();
        updated.Status.DisruptionsAllowed = 0;
        updated.Status.Conditions = updated.Status.Conditions?.ToList() ?? [];
        SetCondition(updated.Status, new V1Condition
        {
            Type = DisruptionAllowedCondition,
            Status = "False",
            Reason = "SyncFailed",
            Message = error,
            ObservedGeneration = updated.Status.ObservedGeneration,
        });
        await _context.Client.For<V1PodDisruptionBudget>().UpdateStatusAsync(updated, cancellationToken);
    }

    /// <summary>meta.SetStatusCondition: the transition time moves only when the status does.</summary>
    private void SetCondition(V1PodDisruptionBudgetStatus status, V1Condition condition)
    {
        var existing = status.Conditions.FirstOrDefault(c => c.Type == condition.Type);
        if (existing is null)
        {
            condition.LastTransitionTime = _context.Time.GetUtcNow().UtcDateTime;
            status.Conditions.Add(condition);
            return;
        }
        if (existing.Status != condition.Status)
        {
            existing.Status = condition.Status;
            existing.LastTransitionTime = _context.Time.GetUtcNow().UtcDateTime;
        }
        existing.Reason = condition.Reason;
        existing.Message = condition.Message;
        existing.ObservedGeneration = condition.ObservedGeneration;
    }

    private static bool ConditionUpToDate(V1PodDisruptionBudgetStatus status, long generation)
    {
        var condition = status.Conditions?.FirstOrDefault(c => c.Type == DisruptionAllowedCondition);
        if (condition is null || status.ObservedGeneration != generation) return false;
        return status.DisruptionsAllowed > 0
            ? condition is { Status: "True", Reason: "SufficientPods" }
            : condition is { Status: "False", Reason: "InsufficientPods" };
    }

    private static bool SameDisrupted(IDictionary<string, DateTime?>? recorded, Dictionary<string, DateTime?> disrupted) =>
        (recorded?.Count ?? 0) == disrupted.Count && disrupted.All(p => recorded!.TryGetValue(p.Key, out var at) && at == p.Value);
}
