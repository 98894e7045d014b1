using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>The pod facts the replica controllers count and rank by (Kubernetes' podutil and controller helpers).</summary>
internal static class PodState
{
    /// <summary>Not finished (Succeeded/Failed) and not being deleted: it counts towards the replicas.</summary>
    public static bool IsActive(V1Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata.DeletionTimestamp is null;

    /// <summary>The Ready condition, if any.</summary>
    public static V1PodCondition? ReadyCondition(V1Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    /// <summary>The Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Ready for at least <paramref name="minReadySeconds"/> (podutil.IsPodAvailable).</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        var ready = ReadyCondition(pod);
        if (ready?.Status != "True") return false;
        if (minReadySeconds == 0) return true;
        return ready.LastTransitionTime is { } since && ToUtc(since).AddSeconds(minReadySeconds) < now;
    }

    /// <summary>When the pod became ready (null when it is not ready or does not say).</summary>
    public static DateTimeOffset? ReadySince(V1Pod pod) =>
        ReadyCondition(pod) is { Status: "True", LastTransitionTime: { } since } ? ToUtc(since) : null;

    /// <summary>The highest restart count of its containers.</summary>
    public static int MaxRestarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Select(c => c.RestartCount).DefaultIfEmpty(0).Max() ?? 0;

    /// <summary>The pod's creation time (null when unset).</summary>
    public static DateTimeOffset? Created(V1Pod pod) => pod.Metadata.CreationTimestamp is { } t ? ToUtc(t) : null;

    /// <summary>The pod's controller owner reference, if any.</summary>
    public static V1OwnerReference? ControllerOf(V1Pod pod) => pod.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    /// <summary>The "ns/name" key expectations track pods by.</summary>
    public static string Key(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";

    private static DateTimeOffset ToUtc(DateTime time) =>
        new(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());
}
