namespace Gantry.Scheduler.Plugins;

/// <summary>The VolumeBinding PreBind failed; the message is what kube-scheduler reports for the pod.</summary>
internal sealed class VolumeBindingException : Exception
{
    /// <summary>A failure with kube-scheduler's wording after "running PreBind plugin "VolumeBinding": ".</summary>
    public VolumeBindingException(string message, Exception? inner = null)
        : base($"running PreBind plugin \"{VolumeBinding.Name}\": {message}", inner)
    {
    }
}
