using Gantry.Scheduler.Cache;

namespace Gantry.Scheduler.Framework;

/// <summary>Computes, once per scheduling cycle, what the plugin's Score needs for the feasible nodes.</summary>
internal interface IPreScorePlugin : IPlugin
{
    /// <summary>Success (state written to <paramref name="state"/>) or <see cref="Status.Skip"/>: the plugin does not score this pod.</summary>
    Status PreScore(CycleState state, IReadOnlyList<NodeInfo> feasible);
}
