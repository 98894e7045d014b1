namespace Gantry.Node.Volumes;

/// <summary>A volume could not be set up; the message is the FailedMount event's.</summary>
public sealed class VolumeException(string message, Exception? inner = null) : Exception(message, inner);
