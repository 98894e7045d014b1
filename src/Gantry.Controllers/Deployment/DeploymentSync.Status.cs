using k8s.Models;
using static Gantry.Controllers.Deployment.ReplicaSetMath;

namespace Gantry.Controllers.Deployment;

/// <summary>Status, conditions and the progress deadline (pkg/controller/deployment/progress.go and sync.go).</summary>
internal sealed partial class DeploymentSync
{
    /// <summary>Marks the Progressing condition paused or resumed (checkPausedConditions).</summary>
    private async Task CheckPausedConditionsAsync(CancellationToken ct)
    {
        if (!HasProgressDeadline(_d)) return;
        var condition = DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing);
        // A reported lack of progress is not overwritten by a pause.
        if (condition?.Reason == DeploymentConditions.ProgressDeadlineExceeded) return;
        var pausedShown = condition?.Reason == DeploymentConditions.Paused;
        if (_d.Spec.Paused == true && !pausedShown)
            DeploymentConditions.Set(_d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.Paused, "Deployment is paused", Now));
        else if (_d.Spec.Paused != true && pausedShown)
            DeploymentConditions.Set(_d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.Resumed, "Deployment is resumed", Now));
        else return;
        await UpdateStatusAsync(ct);
    }

    /// <summary>Writes the computed status when it differs (syncDeploymentStatus).</summary>
    private async Task SyncDeploymentStatusAsync(List<V1ReplicaSet?> all, V1ReplicaSet? newRs, CancellationToken ct)
    {
        var status = CalculateStatus(all, newRs);
        if (StatusEquals(_d.Status, status)) return;
        _d.Status = status;
        await UpdateStatusAsync(ct);
    }

    /// <summary>
    /// Writes status with the Progressing condition brought up to date: complete, progressing (which renews its update
    /// time, restarting the deadline) or timed out; requeues to check the deadline when nothing changed (syncRolloutStatus).
    /// </summary>
    private async Task SyncRolloutStatusAsync(List<V1ReplicaSet?> all, V1ReplicaSet? newRs, CancellationToken ct)
    {
        var status = CalculateStatus(all, newRs);
        if (!HasProgressDeadline(_d)) DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
        var current = DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing);
        var isComplete = status.Replicas == status.UpdatedReplicas && current?.Reason == DeploymentConditions.NewReplicaSetAvailable;
        var subject = newRs is null ? $"Deployment \"{_d.Metadata.Name}\"" : $"ReplicaSet \"{newRs.Metadata.Name}\"";
        if (HasProgressDeadline(_d) && !isComplete)
        {
            if (IsComplete(_d, status))
            {
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                    DeploymentConditions.NewReplicaSetAvailable, $"{subject} has successfully progressed.", Now));
            }
            else if (IsProgressing(_d, status))
            {
                var condition = DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.ReplicaSetUpdated, $"{subject} is progressing.", Now);
                if (current is not null)
                {
                    if (current.Status == "True") condition.LastTransitionTime = current.LastTransitionTime;
                    DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
                }
                DeploymentConditions.Set(status, condition);
            }
            else if (IsTimedOut(_d, status, Now))
            {
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "False",
                    DeploymentConditions.ProgressDeadlineExceeded, $"{subject} has timed out progressing.", Now));
            }
        }
        if (ReplicaFailure(all) is { } failure) DeploymentConditions.Set(status, failure);
        else DeploymentConditions.Remove(status, DeploymentConditions.ReplicaFailure);
        if (StatusEquals(_d.Status, status))
        {
            RequeueStuckDeployment(status);
            return;
        }
        _d.Status = status;
        await UpdateStatusAsync(ct);
    }

    /// <summary>Checks the deadline again when it would pass, since nothing else will wake the Deployment (requeueStuckDeployment).</summary>
    private void RequeueStuckDeployment(V1DeploymentStatus status)
    {
        var current = DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing);
        if (!HasProgressDeadline(_d) || current is null || IsComplete(_d, status) || current.Reason == DeploymentConditions.ProgressDeadlineExceeded) return;
        var after = (current.LastUpdateTime ?? Now).AddSeconds(_d.Spec.ProgressDeadlineSeconds!.Value) - Now;
        context.RequeueAfter(after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after + TimeSpan.FromSeconds(1));
    }

    /// <summary>A ReplicaFailure condition of a ReplicaSet (the new one first), surfaced on the Deployment (getReplicaFailures).</summary>
    private static V1DeploymentCondition? ReplicaFailure(List<V1ReplicaSet?> all)
    {
        var newestFirst = all.OfType<V1ReplicaSet>().Reverse();
        var failure = newestFirst.SelectMany(rs => rs.Status?.Conditions ?? []).FirstOrDefault(c => c.Type == DeploymentConditions.ReplicaFailure);
        return failure is null ? null : new V1DeploymentCondition
        {
            Type = DeploymentConditions.ReplicaFailure, Status = failure.Status, Reason = failure.Reason, Message = failure.Message,
            LastUpdateTime = failure.LastTransitionTime, LastTransitionTime = failure.LastTransitionTime,
        };
    }

    /// <summary>Status from the ReplicaSets' statuses plus the Available condition (calculateStatus).</summary>
    private V1DeploymentStatus CalculateStatus(List<V1ReplicaSet?> all, V1ReplicaSet? newRs)
    {
        var available = AvailableSum(all);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = _d.Metadata.Generation,
            Replicas = StatusSum(all),
            UpdatedReplicas = StatusSum([newRs]),
            ReadyReplicas = ReadySum(all),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, SpecSum(all) - available),
            CollisionCount = _d.Status.CollisionCount,
            Conditions = [.. (_d.Status.Conditions ?? []).Select(Copy)],
        };
        DeploymentConditions.Set(status, available >= Replicas(_d) - MaxUnavailable(_d)
            ? DeploymentConditions.New(DeploymentConditions.Available, "True", DeploymentConditions.MinimumReplicasAvailable, "Deployment has minimum availability.", Now)
            : DeploymentConditions.New(DeploymentConditions.Available, "False", DeploymentConditions.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", Now));
        return status;
    }

    private static V1DeploymentCondition Copy(V1DeploymentCondition c) => new()
    {
        Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, LastUpdateTime = c.LastUpdateTime, LastTransitionTime = c.LastTransitionTime,
    };

    /// <summary>Equality as the server stores status: absent counts are zero, times are whole seconds.</summary>
    private static bool StatusEquals(V1DeploymentStatus? a, V1DeploymentStatus b)
    {
        a ??= new V1DeploymentStatus();
        if ((a.ObservedGeneration ?? 0) != (b.ObservedGeneration ?? 0) || (a.Replicas ?? 0) != (b.Replicas ?? 0)
            || (a.UpdatedReplicas ?? 0) != (b.UpdatedReplicas ?? 0) || (a.ReadyReplicas ?? 0) != (b.ReadyReplicas ?? 0)
            || (a.AvailableReplicas ?? 0) != (b.AvailableReplicas ?? 0) || (a.UnavailableReplicas ?? 0) != (b.UnavailableReplicas ?? 0)
            || a.CollisionCount != b.CollisionCount)
            return false;
        var left = a.Conditions ?? [];
        var right = b.Conditions ?? [];
        return left.Count == right.Count && left.Zip(right).All(p => p.First.Type == p.Second.Type && p.First.Status == p.Second.Status
            && p.First.Reason == p.Second.Reason && p.First.Message == p.Second.Message
            && Seconds(p.First.LastUpdateTime) == Seconds(p.Second.LastUpdateTime) && Seconds(p.First.LastTransitionTime) == Seconds(p.Second.LastTransitionTime));
    }

    private static long Seconds(DateTime? time) => time is { } t ? t.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond : 0;
}
