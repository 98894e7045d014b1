using k8s.Models;
using static Gantry.Controllers.Deployment.ReplicaSetMath;

namespace Gantry.Controllers.Deployment;

/// <summary>The two rollout strategies (pkg/controller/deployment/rolling.go and recreate.go).</summary>
internal sealed partial class DeploymentSync
{
    /// <summary>Scale the new ReplicaSet up within maxSurge, else the old ones down within maxUnavailable, one step per pass.</summary>
    private async Task RolloutRollingAsync(List<V1ReplicaSet> replicaSets, CancellationToken ct)
    {
        var (found, oldRs) = await GetAllReplicaSetsAsync(replicaSets, create: true, ct);
        var newRs = found!;
        List<V1ReplicaSet?> all = [.. oldRs, newRs];
        if (await ReconcileNewReplicaSetAsync(all, newRs, ct) || await ReconcileOldReplicaSetsAsync(all, Active(oldRs), newRs, ct))
        {
            await SyncRolloutStatusAsync(all, newRs, ct);
            return;
        }
        if (IsComplete(_d, _d.Status)) await CleanupAsync(oldRs, ct);
        await SyncRolloutStatusAsync(all, newRs, ct);
    }

    private async Task<bool> ReconcileNewReplicaSetAsync(List<V1ReplicaSet?> all, V1ReplicaSet newRs, CancellationToken ct)
    {
        if (Replicas(newRs) == Replicas(_d)) return false;
        if (Replicas(newRs) > Replicas(_d)) return await ScaleAndRecordAsync(newRs, Replicas(_d), ct);
        return await ScaleAndRecordAsync(newRs, NewReplicaSetReplicas(_d, all, newRs), ct);
    }

    /// <summary>
    /// Scales old ReplicaSets down as far as availability allows: first their unavailable replicas (which cost no
    /// availability), then available ones down to spec.replicas - maxUnavailable (reconcileOldReplicaSets).
    /// </summary>
    private async Task<bool> ReconcileOldReplicaSetsAsync(List<V1ReplicaSet?> all, List<V1ReplicaSet> oldRs, V1ReplicaSet newRs, CancellationToken ct)
    {
        if (SpecSum(oldRs) == 0) return false;
        var minAvailable = Replicas(_d) - MaxUnavailable(_d);
        var newUnavailable = Replicas(newRs) - (newRs.Status?.AvailableReplicas ?? 0);
        var maxScaledDown = SpecSum(all) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) return false;
        var cleaned = await CleanupUnhealthyReplicasAsync(oldRs, maxScaledDown, ct);
        var scaledDown = await ScaleDownOldForRollingUpdateAsync([.. oldRs, newRs], oldRs, ct);
        return cleaned + scaledDown > 0;
    }

    private async Task<int> CleanupUnhealthyReplicasAsync(List<V1ReplicaSet> oldRs, int maxCleanup, CancellationToken ct)
    {
        var total = 0;
        foreach (var rs in ByCreation(oldRs))
        {
            if (total >= maxCleanup) break;
            var available = rs.Status?.AvailableReplicas ?? 0;
            if (Replicas(rs) == 0 || Replicas(rs) == available) continue;
            var count = Math.Min(maxCleanup - total, Replicas(rs) - available);
            await ScaleAndRecordAsync(rs, Replicas(rs) - count, ct);
            total += count;
        }
        return total;
    }

    private async Task<int> ScaleDownOldForRollingUpdateAsync(List<V1ReplicaSet?> all, List<V1ReplicaSet> oldRs, CancellationToken ct)
    {
        var minAvailable = Replicas(_d) - MaxUnavailable(_d);
        var available = AvailableSum(all);
        if (available <= minAvailable) return 0;
        var toScaleDown = available - minAvailable;
        var total = 0;
        foreach (var rs in ByCreation(oldRs))
        {
            if (total >= toScaleDown) break;
            if (Replicas(rs) == 0) continue;
            var count = Math.Min(Replicas(rs), toScaleDown - total);
            await ScaleAndRecordAsync(rs, Replicas(rs) - count, ct);
            total += count;
        }
        return total;
    }

    /// <summary>Scale every old ReplicaSet to zero, wait for their pods to be gone, then create and scale the new one.</summary>
    private async Task RolloutRecreateAsync(List<V1ReplicaSet> replicaSets, CancellationToken ct)
    {
        var (newRs, oldRs) = await GetAllReplicaSetsAsync(replicaSets, create: false, ct);
        var scaledDown = false;
        foreach (var rs in Active(oldRs)) scaledDown |= await ScaleAndRecordAsync(rs, 0, ct);
        if (scaledDown || OldPodsRunning(newRs, oldRs, replicaSets))
        {
            await SyncRolloutStatusAsync([.. oldRs, newRs], newRs, ct);
            return;
        }
        if (newRs is null)
        {
            (newRs, oldRs) = await GetAllReplicaSetsAsync(replicaSets, create: true, ct);
        }
        await ScaleAndRecordAsync(newRs!, Replicas(_d), ct);
        if (IsComplete(_d, _d.Status)) await CleanupAsync(oldRs, ct);
        await SyncRolloutStatusAsync([.. oldRs, newRs], newRs, ct);
    }

    /// <summary>Whether old ReplicaSets still report replicas or still have a pod not in a terminal phase (oldPodsRunning).</summary>
    private bool OldPodsRunning(V1ReplicaSet? newRs, List<V1ReplicaSet> oldRs, List<V1ReplicaSet> replicaSets)
    {
        if (StatusSum(oldRs) > 0) return true;
        foreach (var rs in replicaSets)
        {
            if (newRs is not null && rs.Metadata.Uid == newRs.Metadata.Uid) continue;
            if (context.Pods.ByIndex(DeploymentController.ControllerUidIndex, rs.Metadata.Uid)
                .Any(p => p.Status?.Phase is not ("Failed" or "Succeeded"))) return true;
        }
        return false;
    }
}
