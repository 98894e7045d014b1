namespace Gantry.Scheduler.Preemption;

/// <summary>
/// What the DefaultPreemption PostFilter decided: the node and victims to preempt (then no message), or the
/// "preemption: ..." part of the FitError message; and whether the pod's earlier nomination is to be cleared.
/// </summary>
internal sealed record PreemptionPlan(Candidate? Chosen, string? Message, bool ClearNomination)
{
    /// <summary>A failed attempt reported as "preemption: <paramref name="detail"/>".</summary>
    public static PreemptionPlan Failed(string detail, bool clearNomination = false) => new(null, "preemption: " + detail, clearNomination);
}
