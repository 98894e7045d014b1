using k8s.Models;

namespace Gantry.Controllers.Namespace;

/// <summary>The deletion conditions Kubernetes' namespace controller writes on a terminating namespace.</summary>
internal static class NamespaceConditions
{
    /// <summary>The conditions describing a content deletion pass, with Kubernetes' types, reasons and messages.</summary>
    public static IReadOnlyList<V1NamespaceCondition> Describe(ContentDeletion result, DateTime now)
    {
        var remaining = string.Join(", ", result.Remaining.Select(r => $"{r.Key} has {r.Value} resource instances"));
        var finalizers = string.Join(", ", result.FinalizersRemaining.Select(f => $"{f.Key} in {f.Value} resource instances"));
        return
        [
            Condition("NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered", "All resources successfully discovered", now),
            Condition("NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions", "All legacy kube types successfully parsed", now),
            result.Errors.Count > 0
                ? Condition("NamespaceDeletionContentFailure", true, "ContentDeletionFailed",
                    $"Failed to delete all resource types, {result.Errors.Count} remaining: {string.Join(", ", result.Errors)}", now)
                : Condition("NamespaceDeletionContentFailure", false, "ContentDeleted", "All content successfully deleted, may be waiting on finalization", now),
            result.Remaining.Count > 0
                ? Condition("NamespaceContentRemaining", true, "SomeResourcesRemain", $"Some resources are remaining: {remaining}", now)
                : Condition("NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed", now),
            result.FinalizersRemaining.Count > 0
                ? Condition("NamespaceFinalizersRemaining", true, "SomeFinalizersRemain", $"Some content in the namespace has finalizers remaining: {finalizers}", now)
                : Condition("NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers", "All content-preserving finalizers finished", now),
        ];
    }

    /// <summary>
    /// Merges the new conditions into the namespace's; a condition keeps its lastTransitionTime while its status stays.
    /// Returns whether anything changed.
    /// </summary>
    public static bool Merge(V1NamespaceStatus status, IReadOnlyList<V1NamespaceCondition> conditions)
    {
        status.Conditions ??= [];
        var changed = false;
        foreach (var condition in conditions)
        {
            var existing = status.Conditions.FirstOrDefault(c => c.Type == condition.Type);
            if (existing is null)
            {
                status.Conditions.Add(condition);
                changed = true;
            }
            else if (existing.Status != condition.Status || existing.Reason != condition.Reason || existing.Message != condition.Message)
            {
                if (existing.Status != condition.Status) existing.LastTransitionTime = condition.LastTransitionTime;
                existing.Status = condition.Status;
                existing.Reason = condition.Reason;
                existing.Message = condition.Message;
                changed = true;
            }
        }
        return changed;
    }

    private static V1NamespaceCondition Condition(string type, bool status, string reason, string message, DateTime now) =>
        new() { Type = type, Status = status ? "True" : "False", Reason = reason, Message = message, LastTransitionTime = now };
}
