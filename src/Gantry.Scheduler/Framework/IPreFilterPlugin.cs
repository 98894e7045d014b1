namespace Gantry.Scheduler.Framework;

/// <summary>Computes, once per scheduling cycle, what the plugin's Filter needs for every node.</summary>
internal interface IPreFilterPlugin : IPlugin
{
    /// <summary>
    /// Success (state written to <paramref name="state"/>), <see cref="Status.Skip"/> when the pod gives the plugin
    /// nothing to check, or a rejection of every node.
    /// </summary>
    Status PreFilter(CycleState state);
}
