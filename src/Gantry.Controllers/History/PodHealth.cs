using k8s.Models;

namespace Gantry.Controllers.History;

/// <summary>Pod readiness and availability as Kubernetes' podutil computes them.</summary>
internal static class PodHealth
{
    /// <summary>Whether the pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Whether the pod has been Ready for at least <paramref name="minReadySeconds"/> at <paramref name="now"/>.</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        if (ReadyCondition(pod) is not { Status: "True" } ready) return false;
        if (minReadySeconds == 0) return true;
        return ready.LastTransitionTime is { } since && new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)).AddSeconds(minReadySeconds) < now;
    }

    /// <summary>How long until a ready pod becomes available, or null when it is not ready or already available.</summary>
    public static TimeSpan? UntilAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        if (minReadySeconds == 0 || ReadyCondition(pod) is not { Status: "True", LastTransitionTime: { } since }) return null;
        var at = new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)).AddSeconds(minReadySeconds);
        return at >= now ? at - now + TimeSpan.FromMilliseconds(10) : null;
    }

    private static V1PodCondition? ReadyCondition(V1Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
}
