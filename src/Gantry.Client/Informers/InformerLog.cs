using Microsoft.Extensions.Logging;

namespace Gantry.Client.Informers;

/// <summary>Source-generated log messages of informers.</summary>
internal static partial class InformerLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "informer {Resource}: list/watch failed, retrying in {Delay}")]
    public static partial void ListWatchFailed(ILogger logger, string resource, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "informer {Resource}: watch expired ({Message}), relisting")]
    public static partial void WatchExpired(ILogger logger, string resource, string? message);

    [LoggerMessage(Level = LogLevel.Error, Message = "informer {Resource}: event handler failed")]
    public static partial void HandlerFailed(ILogger logger, string resource, Exception exception);
}
