namespace Gantry.Scheduler.Plugins;

/// <summary>Settings of the VolumeBinding plugin, with kube-scheduler's values.</summary>
public sealed record VolumeBindingOptions
{
    /// <summary>How long binding may wait for the volumes of a pod to become bound (VolumeBindingArgs.bindTimeoutSeconds: 600 s).</summary>
    public TimeSpan BindTimeout { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>How often the binding is checked while waiting (kube-scheduler polls every second).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
