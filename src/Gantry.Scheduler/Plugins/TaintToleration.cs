using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// Filter: every NoSchedule and NoExecute taint must be tolerated. Score: fewer untolerated PreferNoSchedule taints is
/// better (normalized reversed).
/// </summary>
internal sealed class TaintToleration : IFilterPlugin, IScorePlugin
{
    /// <inheritdoc />
    public string Name => "TaintToleration";

    /// <inheritdoc />
    public int Weight => 3;

    /// <inheritdoc />
    public Status Filter(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        // Runs for every node of every cycle: an index loop allocates no enumerator (most nodes have no taints at all).
        if (node.Taints is not { } taints) return Status.Success;
        for (var i = 0; i < taints.Count; i++)
        {
            var taint = taints[i];
            if (taint.Effect is not ("NoSchedule" or "NoExecute") || Tolerates(pod.Spec.Tolerations, taint)) continue;
            return Status.Unresolvable($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}");
        }
        return Status.Success;
    }

    /// <inheritdoc />
    public long Score(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node)
    {
        if (node.Taints is not { } taints) return 0;
        var preferNoSchedule = (pod.Spec.Tolerations ?? []).Where(t => string.IsNullOrEmpty(t.Effect) || t.Effect == "PreferNoSchedule").ToList();
        return taints.Count(t => t.Effect == "PreferNoSchedule" && !Tolerates(preferNoSchedule, t));
    }

    /// <inheritdoc />
    public void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores) => ScoreNormalizer.Default(scores, reverse: true);

    /// <summary>Whether any toleration matches the taint (effect, key and, for Equal, value).</summary>
    public static bool Tolerates(IEnumerable<V1Toleration>? tolerations, V1Taint taint) =>
        tolerations?.Any(t => Tolerates(t, taint)) == true;

    private static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }
}
