using k8s.Models;

namespace Gantry.Scheduler.Preemption;

/// <summary>kube-scheduler's MoreImportantPod: higher priority first, then the pod that started earlier.</summary>
internal static class PodImportance
{
    /// <summary>status.startTime; a pod that has not started yet counts as starting <paramref name="now"/>.</summary>
    public static DateTime StartTime(V1Pod pod, DateTime now) => pod.Status?.StartTime ?? now;

    /// <summary>A comparer that sorts the more important pod first.</summary>
    public static Comparison<V1Pod> MostImportantFirst(DateTime now) => (a, b) =>
    {
        var byPriority = (b.Spec.Priority ?? 0).CompareTo(a.Spec.Priority ?? 0);
        return byPriority != 0 ? byPriority : StartTime(a, now).CompareTo(StartTime(b, now));
    };
}
