using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Framework;

/// <summary>Ranks the nodes that passed every filter.</summary>
internal interface IScorePlugin : IPlugin
{
    /// <summary>The plugin's weight in the default profile.</summary>
    int Weight { get; }

    /// <summary>A raw score of the node.</summary>
    long Score(CycleState state, V1Pod pod, PodRequests requests, NodeInfo node);

    /// <summary>Maps the raw scores of the feasible <paramref name="nodes"/> (same order) onto 0..100 in place.</summary>
    void Normalize(CycleState state, IReadOnlyList<NodeInfo> nodes, long[] scores);
}
