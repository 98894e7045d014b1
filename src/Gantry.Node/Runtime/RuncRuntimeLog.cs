using Microsoft.Extensions.Logging;

namespace Gantry.Node.Runtime;

/// <summary>The engine's log messages.</summary>
internal static partial class RuncRuntimeLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox {SandboxId} created for pod {Namespace}/{Pod}")]
    public static partial void SandboxCreated(ILogger logger, string sandboxId, string @namespace, string pod);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox {SandboxId} removed")]
    public static partial void SandboxRemoved(ILogger logger, string sandboxId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} ({Name}) created in sandbox {SandboxId}")]
    public static partial void ContainerCreated(ILogger logger, string containerId, string name, string sandboxId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} started")]
    public static partial void ContainerStarted(ILogger logger, string containerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} did not stop within {GracePeriod} after {Signal}; killing it")]
    public static partial void StopGraceExpired(ILogger logger, string containerId, TimeSpan gracePeriod, string signal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} removed")]
    public static partial void ContainerRemoved(ILogger logger, string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleaning up the remains of a failed create of {What} {Id} failed")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string what, string id);
}
