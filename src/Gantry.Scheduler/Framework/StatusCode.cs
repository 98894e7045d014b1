namespace Gantry.Scheduler.Framework;

/// <summary>Outcome of a plugin, as the scheduling framework's status codes.</summary>
internal enum StatusCode
{
    /// <summary>The node passes.</summary>
    Success,

    /// <summary>The node does not fit now; preempting pods on it might help.</summary>
    Unschedulable,

    /// <summary>The node does not fit and preemption cannot change that.</summary>
    UnschedulableAndUnresolvable,

    /// <summary>From PreFilter or PreScore: the pod gives the plugin nothing to do, so its Filter or Score is not run.</summary>
    Skip,
}
