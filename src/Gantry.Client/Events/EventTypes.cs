namespace Gantry.Client.Events;

/// <summary>The two event types Kubernetes defines.</summary>
public static class EventTypes
{
    /// <summary>Something expected happened.</summary>
    public const string Normal = "Normal";

    /// <summary>Something went wrong or may need attention.</summary>
    public const string Warning = "Warning";
}
