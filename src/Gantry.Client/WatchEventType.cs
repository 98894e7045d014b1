namespace Gantry.Client;

/// <summary>The type of one watch event.</summary>
public enum WatchEventType
{
    /// <summary>An object appeared (or entered the selection).</summary>
    Added,
    /// <summary>An object changed.</summary>
    Modified,
    /// <summary>An object was deleted (or left the selection); the event carries its last state.</summary>
    Deleted,
    /// <summary>A progress marker: only the resourceVersion is meaningful.</summary>
    Bookmark,
    /// <summary>The server ended the watch with a Status (e.g. 410 Expired).</summary>
    Error,
}
