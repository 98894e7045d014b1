namespace Gantry.Node.Volumes;

/// <summary>
/// A volume plugin's own error, worded as the kubelet's plugin error (e.g. <c>configmap "x" not found</c>); the volume
/// manager wraps it into the FailedMount message (<c>MountVolume.SetUp failed for volume "v" : ...</c>).
/// </summary>
internal sealed class VolumeSourceException(string message, Exception? inner = null) : Exception(message, inner);
