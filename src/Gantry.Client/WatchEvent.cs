using k8s.Models;

namespace Gantry.Client;

/// <summary>One watch event: an object for ADDED/MODIFIED/DELETED, a resourceVersion for BOOKMARK, a Status for ERROR.</summary>
/// <param name="Type">The event type.</param>
/// <param name="Object">The object (null for BOOKMARK and ERROR).</param>
/// <param name="ResourceVersion">The revision of the event (the object's or the bookmark's); null for ERROR.</param>
/// <param name="Status">The Status of an ERROR event.</param>
public sealed record WatchEvent<T>(WatchEventType Type, T? Object, string? ResourceVersion, V1Status? Status);
