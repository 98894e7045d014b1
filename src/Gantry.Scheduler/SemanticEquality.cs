using k8s;

namespace Gantry.Scheduler;

/// <summary>Compares parts of API objects by their JSON form (models have no value equality).</summary>
internal static class SemanticEquality
{
    /// <summary>True when both serialize alike (two nulls are alike).</summary>
    public static bool Same(object? a, object? b) =>
        a is null || b is null ? a is null && b is null : KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);
}
