namespace Gantry.Scheduler.Preemption;

/// <summary>The pod condition kube-scheduler sets on a victim before deleting it.</summary>
internal static class DisruptionTarget
{
    /// <summary>The condition type.</summary>
    public const string ConditionType = "DisruptionTarget";

    /// <summary>v1.PodReasonPreemptionByScheduler.</summary>
    public const string PreemptionReason = "PreemptionByScheduler";

    /// <summary>The condition's message, naming the preemptor's scheduler.</summary>
    public static string Message(string schedulerName) => $"{schedulerName}: preempting to accommodate a higher priority pod";
}
