using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Framework;

/// <summary>Ranks the nodes that passed every filter.</summary>
internal interface IScorePlugin
{
    /// <summary>The plugin's kube-scheduler name.</summary>
    string Name { get; }

    /// <summary>The plugin's weight in the default profile.</summary>
    int Weight { get; }

    /// <summary>A raw score of the node.</summary>
    long Score(V1Pod pod, PodRequests requests, NodeInfo node);

    /// <summary>Maps the raw scores of all feasible nodes onto 0..100 in place.</summary>
    void Normalize(long[] scores);
}
