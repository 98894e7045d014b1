using k8s.Models;

namespace Gantry.Controllers.Job;

/// <summary>Job condition types, reasons and list helpers (ensureJobConditionStatus and friends).</summary>
internal static class JobConditions
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string FailureTarget = "FailureTarget";
    public const string SuccessCriteriaMet = "SuccessCriteriaMet";
    public const string Suspended = "Suspended";
    public const string BackoffLimitExceeded = "BackoffLimitExceeded";
    public const string DeadlineExceeded = "DeadlineExceeded";
    public const string CompletionsReached = "CompletionsReached";

    public static V1JobCondition? Find(V1Job job, string type) => job.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(V1Job job, string type) => Find(job, type)?.Status == "True";

    /// <summary>Complete or Failed is True: the job will do nothing more.</summary>
    public static bool IsFinished(V1Job job) => IsTrue(job, Complete) || IsTrue(job, Failed);

    /// <summary>The time the job finished (the terminal condition's transition), or null while it runs.</summary>
    public static DateTime? FinishTime(V1Job job) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type is Complete or Failed && c.Status == "True")?.LastTransitionTime;

    public static V1JobCondition New(string type, string reason, string message, DateTime now) => new()
    {
        Type = type, Status = "True", Reason = reason, Message = message, LastProbeTime = now, LastTransitionTime = now,
    };

    /// <summary>
    /// Sets a condition's status, reason and message; a False condition is never added where none exists (going from
    /// nothing to False means nothing). Returns whether the list changed.
    /// </summary>
    public static bool Ensure(V1JobStatus status, string type, string conditionStatus, string reason, string message, DateTime now)
    {
        status.Conditions ??= [];
        var existing = status.Conditions.FirstOrDefault(c => c.Type == type);
        if (existing is not null)
        {
            if (existing.Status == conditionStatus && existing.Reason == reason && existing.Message == message) return false;
            existing.Status = conditionStatus;
            existing.Reason = reason;
            existing.Message = message;
            existing.LastProbeTime = now;
            existing.LastTransitionTime = now;
            return true;
        }
        if (conditionStatus == "False") return false;
        status.Conditions.Add(new V1JobCondition
        {
            Type = type, Status = conditionStatus, Reason = reason, Message = message, LastProbeTime = now, LastTransitionTime = now,
        });
        return true;
    }
}
