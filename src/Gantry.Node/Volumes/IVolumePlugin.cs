using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>One volume type (the kubelet's volume plugins): prepares the host side of a pod's volume.</summary>
internal interface IVolumePlugin
{
    /// <summary>Whether the volume is of this plugin's type.</summary>
    bool Handles(V1Volume volume);

    /// <summary>
    /// Makes the volume ready (and its content current) and returns the host path to bind into containers. Failures are
    /// <see cref="VolumeSourceException"/>s worded as the kubelet's plugin errors.
    /// </summary>
    Task<string> SetUpAsync(VolumeContext context, V1Pod pod, V1Volume volume, CancellationToken cancellationToken);
}
