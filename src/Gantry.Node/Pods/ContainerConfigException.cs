namespace Gantry.Node.Pods;

/// <summary>A container cannot be configured; <see cref="Reason"/> becomes its waiting reason (CreateContainerConfigError).</summary>
internal sealed class ContainerConfigException(string message, string reason = "CreateContainerConfigError") : Exception(message)
{
    /// <summary>The waiting reason the kubelet reports.</summary>
    public string Reason { get; } = reason;
}
