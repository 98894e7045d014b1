namespace Gantry.Scheduler.Preemption;

/// <summary>
/// The outcome of the PostFilter for the scheduler: the "preemption: ..." suffix of the FitError message (null when a
/// preemption started) and the API work started in the background (victims' deletion, nomination), if any.
/// </summary>
internal sealed record PostFilterResult(string? Message, Task? Work);
