using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.StatefulSet;

/// <summary>
/// One pass of Kubernetes' updateStatefulSet: create missing replicas (in ordinal order and one at a time for
/// OrderedReady, all at once for Parallel), delete condemned replicas from the highest ordinal down, then roll pods at
/// ordinals at or above the partition onto the update revision, highest first, waiting for each to be available.
/// </summary>
internal sealed class StatefulSetSync(StatefulPodControl control, TimeProvider time)
{
    private const int MaxBatchSize = 500;

    /// <summary>A wanted replica: an existing pod, or the pod to create.</summary>
    private sealed record Slot(V1Pod Pod, bool Created);

    /// <summary>Brings the set's pods one step towards the spec and returns the status to record.</summary>
    public async Task<V1StatefulSetStatus> SyncAsync(V1StatefulSet set, V1ControllerRevision currentRevision, V1ControllerRevision updateRevision,
        int collisionCount, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var currentSet = StatefulSetPods.ApplyRevision(set, currentRevision);
        var updateSet = StatefulSetPods.ApplyRevision(set, updateRevision);
        var minReadySeconds = set.Spec.MinReadySeconds ?? 0;
        var status = new V1StatefulSetStatus
        {
            ObservedGeneration = set.Metadata.Generation,
            CurrentRevision = currentRevision.Metadata.Name,
            UpdateRevision = updateRevision.Metadata.Name,
            CollisionCount = collisionCount,
            Conditions = set.Status?.Conditions,
        };
        Count(status, pods.Select(p => new Slot(p, true)), minReadySeconds, currentRevision, updateRevision);

        var start = StatefulSetPods.StartOrdinal(set);
        var replicas = new Slot?[Math.Max(set.Spec.Replicas ?? 1, 0)];
        var condemned = new List<V1Pod>();
        foreach (var pod in pods)
        {
            if (StatefulSetPods.InOrdinalRange(set, pod)) replicas[StatefulSetPods.Ordinal(pod) - start] = new Slot(pod, true);
            else if (StatefulSetPods.Ordinal(pod) >= 0) condemned.Add(pod);
        }
        for (var i = 0; i < replicas.Length; i++)
            replicas[i] ??= new Slot(StatefulSetPods.NewVersionedPod(currentSet, updateSet, currentRevision.Metadata.Name, updateRevision.Metadata.Name, start + i), false);
        var slots = replicas.Select(s => s!).ToArray();
        condemned.Sort((a, b) => StatefulSetPods.Ordinal(b).CompareTo(StatefulSetPods.Ordinal(a)));

        var firstUnavailable = slots.FirstOrDefault(s => IsUnavailable(s, minReadySeconds))?.Pod
            ?? Enumerable.Reverse(condemned).FirstOrDefault(p => IsUnavailable(new Slot(p, true), minReadySeconds));

        if (set.Metadata.DeletionTimestamp is not null) return status;

        var monotonic = set.Spec.PodManagementPolicy != "Parallel";
        var all = slots.Concat(condemned.Select(p => new Slot(p, true))).ToList();
        if (await RunForAllAsync(slots.Length, i => ProcessReplicaAsync(set, updateSet, monotonic, slots[i], minReadySeconds, cancellationToken), monotonic))
            return Count(status, all, minReadySeconds, currentRevision, updateRevision);
        if (await RunForAllAsync(condemned.Count, async i =>
            {
                if (!control.ClaimsMatchRetention(updateSet, condemned[i])) await control.UpdateClaimsForRetentionAsync(updateSet, condemned[i], cancellationToken);
                return false;
            }, monotonic))
            return Count(status, all, minReadySeconds, currentRevision, updateRevision);
        if (await RunForAllAsync(condemned.Count, i => ProcessCondemnedAsync(set, firstUnavailable, monotonic, condemned[i], minReadySeconds, cancellationToken), monotonic))
            return Count(status, all, minReadySeconds, currentRevision, updateRevision);
        Count(status, all, minReadySeconds, currentRevision, updateRevision);

        if (set.Spec.UpdateStrategy?.Type == "OnDelete") return status;

        // Roll the highest ordinal that is not on the update revision, one pod at a time, never below the partition.
        var partition = set.Spec.UpdateStrategy?.RollingUpdate?.Partition ?? 0;
        for (var target = slots.Length - 1; target >= partition; target--)
        {
            var slot = slots[target];
            if (StatefulSetPods.Revision(slot.Pod) != updateRevision.Metadata.Name && !StatefulSetPods.IsTerminating(slot.Pod))
            {
                if (slot.Created) await control.DeletePodAsync(set, slot.Pod, cancellationToken);
                status.CurrentReplicas--;
                return status;
            }
            if (IsUnavailable(slot, minReadySeconds)) return status;
        }
        return status;
    }

    private async Task<bool> ProcessReplicaAsync(V1StatefulSet set, V1StatefulSet updateSet, bool monotonic, Slot slot, int minReadySeconds,
        CancellationToken cancellationToken)
    {
        var pod = slot.Pod;
        if (slot.Created && pod.Status?.Phase is "Failed" or "Succeeded")
        {
            // A finished pod is replaced: deleted now, created again on a later pass once it is gone.
            if (!StatefulSetPods.IsTerminating(pod)) await control.DeletePodAsync(set, pod, cancellationToken);
            return true;
        }
        if (!slot.Created)
        {
            if (control.ClaimIsStale(set, pod)) return true;
            await control.CreatePodAsync(set, pod, cancellationToken);
            return monotonic;
        }
        if (pod.Status?.Phase == "Pending") await control.CreateMissingClaimsAsync(set, pod, cancellationToken);
        if (monotonic && (StatefulSetPods.IsTerminating(pod) || !StatefulSetPods.IsRunningAndReady(pod) ||
            !PodHealth.IsAvailable(pod, minReadySeconds, time.GetUtcNow())))
            return true;
        if (StatefulSetPods.IdentityMatches(set, pod) && StatefulSetPods.StorageMatches(set, pod) && control.ClaimsMatchRetention(updateSet, pod))
            return false;
        await control.UpdatePodAsync(updateSet, pod, cancellationToken);
        return false;
    }

    private async Task<bool> ProcessCondemnedAsync(V1StatefulSet set, V1Pod? firstUnavailable, bool monotonic, V1Pod pod, int minReadySeconds,
        CancellationToken cancellationToken)
    {
        if (StatefulSetPods.IsTerminating(pod)) return monotonic;
        // Scale down waits until every other replica is healthy; only the first unhealthy pod may go at once.
        if (monotonic && !ReferenceEquals(pod, firstUnavailable) &&
            (!StatefulSetPods.IsRunningAndReady(pod) || !PodHealth.IsAvailable(pod, minReadySeconds, time.GetUtcNow())))
            return true;
        await control.DeletePodAsync(set, pod, cancellationToken);
        return true;
    }

    // OrderedReady stops at the first pod that blocks; Parallel runs everything in doubling batches (slowStartBatch).
    private static async Task<bool> RunForAllAsync(int count, Func<int, Task<bool>> action, bool monotonic)
    {
        if (monotonic)
        {
            for (var i = 0; i < count; i++)
                if (await action(i)) return true;
            return false;
        }
        var next = 0;
        for (var batch = Math.Min(1, count); batch > 0; batch = Math.Min(Math.Min(2 * batch, count - next), MaxBatchSize))
        {
            var tasks = Enumerable.Range(next, batch).Select(action).ToList();
            next += batch;
            try
            {
                await Task.WhenAll(tasks);
            }
            catch (Exception) when (tasks.Any(t => t.IsFaulted))
            {
                throw new AggregateException(tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions));
            }
        }
        return false;
    }

    private bool IsUnavailable(Slot slot, int minReadySeconds) =>
        !slot.Created || StatefulSetPods.IsTerminating(slot.Pod) || !PodHealth.IsAvailable(slot.Pod, minReadySeconds, time.GetUtcNow());

    private V1StatefulSetStatus Count(V1StatefulSetStatus status, IEnumerable<Slot> slots, int minReadySeconds,
        V1ControllerRevision currentRevision, V1ControllerRevision updateRevision)
    {
        int replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
        var now = time.GetUtcNow();
        foreach (var (pod, created) in slots)
        {
            if (!created) continue;
            replicas++;
            if (StatefulSetPods.IsRunningAndReady(pod))
            {
                ready++;
                if (PodHealth.IsAvailable(pod, minReadySeconds, now)) available++;
            }
            if (StatefulSetPods.IsTerminating(pod)) continue;
            var revision = StatefulSetPods.Revision(pod);
            if (revision == currentRevision.Metadata.Name) current++;
            if (revision == updateRevision.Metadata.Name) updated++;
        }
        status.Replicas = replicas;
        status.ReadyReplicas = ready;
        status.AvailableReplicas = available;
        status.CurrentReplicas = current;
        status.UpdatedReplicas = updated;
        return status;
    }
}
