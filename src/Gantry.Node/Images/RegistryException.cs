namespace Gantry.Node.Images;

/// <summary>A registry refused or failed a request; the message reads like containerd's.</summary>
internal sealed class RegistryException(string message) : Exception(message);
