namespace Gantry.Scheduler.Framework;

/// <summary>A scheduling plugin; it takes part in every extension point whose interface it implements.</summary>
internal interface IPlugin
{
    /// <summary>The plugin's kube-scheduler name.</summary>
    string Name { get; }
}
