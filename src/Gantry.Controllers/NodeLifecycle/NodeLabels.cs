using k8s.Models;

namespace Gantry.Controllers.NodeLifecycle;

/// <summary>The deprecated beta OS and architecture labels, kept equal to their stable twins (upstream's reconcileNodeLabels).</summary>
internal static class NodeLabels
{
    private static readonly (string Stable, string Beta)[] Twins =
    [
        ("kubernetes.io/os", "beta.kubernetes.io/os"),
        ("kubernetes.io/arch", "beta.kubernetes.io/arch"),
    ];

    /// <summary>The beta labels to set (missing or different from the stable one); empty when all agree.</summary>
    public static Dictionary<string, string> ToReconcile(V1Node node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node.Metadata.Labels is not { } labels) return result;
        foreach (var (stable, beta) in Twins)
        {
            if (!labels.TryGetValue(stable, out var value)) continue;
            if (!labels.TryGetValue(beta, out var current) || current != value) result[beta] = value;
        }
        return result;
    }
}
