using k8s.Models;

namespace Gantry.Controllers.Deployment;

/// <summary>Deployment condition types and reasons (pkg/controller/deployment/util), and how conditions are set.</summary>
public static class DeploymentConditions
{
    /// <summary>Condition type: the rollout is making progress (or finished, or timed out).</summary>
    public const string Progressing = "Progressing";
    /// <summary>Condition type: at least spec.replicas - maxUnavailable replicas are available.</summary>
    public const string Available = "Available";
    /// <summary>Condition type: a ReplicaSet failed to create pods.</summary>
    public const string ReplicaFailure = "ReplicaFailure";

    /// <summary>Progressing reason: a new ReplicaSet was created.</summary>
    public const string NewReplicaSetCreated = "NewReplicaSetCreated";
    /// <summary>Progressing reason: an existing ReplicaSet matches the template.</summary>
    public const string FoundNewReplicaSet = "FoundNewReplicaSet";
    /// <summary>Progressing reason: the rollout made progress.</summary>
    public const string ReplicaSetUpdated = "ReplicaSetUpdated";
    /// <summary>Progressing reason: the rollout is complete.</summary>
    public const string NewReplicaSetAvailable = "NewReplicaSetAvailable";
    /// <summary>Progressing reason: no progress within progressDeadlineSeconds.</summary>
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";
    /// <summary>Progressing reason: creating the new ReplicaSet failed.</summary>
    public const string FailedReplicaSetCreate = "ReplicaSetCreateError";
    /// <summary>Progressing reason: the Deployment is paused.</summary>
    public const string Paused = "DeploymentPaused";
    /// <summary>Progressing reason: the Deployment was resumed.</summary>
    public const string Resumed = "DeploymentResumed";
    /// <summary>Available reason: enough replicas are available.</summary>
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    /// <summary>Available reason: too few replicas are available.</summary>
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    internal static V1DeploymentCondition New(string type, string status, string reason, string message, DateTime now)
    {
        // metav1.Time serializes whole seconds; keeping them whole makes a re-read status compare equal.
        var seconds = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        return new V1DeploymentCondition
        {
            Type = type, Status = status, Reason = reason, Message = message, LastUpdateTime = seconds, LastTransitionTime = seconds,
        };
    }

    internal static V1DeploymentCondition? Get(V1DeploymentStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>
    /// Sets a condition; the same status and reason leave the old one untouched, the same status keeps its transition
    /// time (SetDeploymentCondition).
    /// </summary>
    internal static void Set(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        var current = Get(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason) return;
        if (current is not null && current.Status == condition.Status) condition.LastTransitionTime = current.LastTransitionTime;
        status.Conditions = [.. (status.Conditions ?? []).Where(c => c.Type != condition.Type), condition];
    }

    internal static void Remove(V1DeploymentStatus status, string type)
    {
        if (status.Conditions is null) return;
        status.Conditions = [.. status.Conditions.Where(c => c.Type != type)];
    }
}
