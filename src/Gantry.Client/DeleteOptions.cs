using k8s.Models;

namespace Gantry.Client;

/// <summary>Options of a delete (sent as a meta/v1 DeleteOptions body).</summary>
public sealed record DeleteOptions
{
    /// <summary>Orphan, Background or Foreground; unset = the resource's default.</summary>
    public string? PropagationPolicy { get; init; }

    /// <summary>Seconds before the object is deleted (pods); 0 deletes at once.</summary>
    public long? GracePeriodSeconds { get; init; }

    /// <summary>Delete only when the object still has this uid.</summary>
    public string? PreconditionUid { get; init; }

    /// <summary>Delete only when the object still has this resourceVersion.</summary>
    public string? PreconditionResourceVersion { get; init; }

    /// <summary>Foreground deletion: owners wait for dependents.</summary>
    public static DeleteOptions Foreground { get; } = new() { PropagationPolicy = "Foreground" };

    /// <summary>Background deletion: the garbage collector removes dependents later.</summary>
    public static DeleteOptions Background { get; } = new() { PropagationPolicy = "Background" };

    /// <summary>Orphan dependents.</summary>
    public static DeleteOptions Orphan { get; } = new() { PropagationPolicy = "Orphan" };

    /// <summary>The meta/v1 DeleteOptions body.</summary>
    internal V1DeleteOptions ToModel() => new()
    {
        ApiVersion = "v1",
        Kind = "DeleteOptions",
        PropagationPolicy = PropagationPolicy,
        GracePeriodSeconds = GracePeriodSeconds,
        Preconditions = PreconditionUid is null && PreconditionResourceVersion is null
            ? null
            : new V1Preconditions { Uid = PreconditionUid, ResourceVersion = PreconditionResourceVersion },
    };
}
