using k8s.Models;

namespace Gantry.Controllers.NodeLifecycle;

/// <summary>Toleration matching as Kubernetes' v1 helpers do it.</summary>
internal static class Tolerations
{
    /// <summary>Whether the toleration tolerates the taint (empty key with Exists tolerates everything; empty effect any effect).</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            "Exists" => true,
            _ => false,
        };
    }

    /// <summary>Whether every taint is tolerated, and the first toleration found for each taint.</summary>
    public static (bool AllTolerated, List<V1Toleration> Used) Matching(IReadOnlyList<V1Taint> taints, IList<V1Toleration>? tolerations)
    {
        var used = new List<V1Toleration>();
        foreach (var taint in taints)
        {
            var match = tolerations?.FirstOrDefault(t => Tolerates(t, taint));
            if (match is null) return (false, []);
            used.Add(match);
        }
        return (true, used);
    }

    /// <summary>
    /// How long the tolerations let the pod stay: the smallest tolerationSeconds (zero or less = not at all), or null
    /// when none sets a limit (forever).
    /// </summary>
    public static TimeSpan? MinTolerationTime(IReadOnlyList<V1Toleration> used)
    {
        if (used.Count == 0) return TimeSpan.Zero;
        long? min = null;
        foreach (var seconds in used.Select(t => t.TolerationSeconds).OfType<long>())
        {
            if (seconds <= 0) return TimeSpan.Zero;
            if (min is null || seconds < min) min = seconds;
        }
        return min is null ? null : TimeSpan.FromSeconds(min.Value);
    }
}
