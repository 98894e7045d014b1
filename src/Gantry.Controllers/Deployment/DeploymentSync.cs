using Gantry.Client;
using k8s.Models;
using static Gantry.Controllers.Deployment.ReplicaSetMath;

namespace Gantry.Controllers.Deployment;

/// <summary>
/// One reconcile of one Deployment (syncDeployment): claim its ReplicaSets, then either only scale (paused, or a replica
/// count change) or roll out by its strategy, and write status. Every ReplicaSet here is a private copy, updated in place
/// with what the server returns, so the lists that share it stay consistent within the pass.
/// </summary>
internal sealed partial class DeploymentSync(V1Deployment deployment, DeploymentSyncContext context)
{
    private const string ScalingReplicaSet = "ScalingReplicaSet";
    private readonly IResourceClient<V1Deployment> _deploymentsApi = context.Client.For<V1Deployment>();
    private readonly IResourceClient<V1ReplicaSet> _replicaSetsApi = context.Client.For<V1ReplicaSet>();
    private V1Deployment _d = deployment;

    private DateTime Now => context.Time.GetUtcNow().UtcDateTime;

    public async Task RunAsync(CancellationToken ct)
    {
        _d.Status ??= new V1DeploymentStatus();
        if (Selectors.IsEmpty(_d.Spec.Selector))
        {
            context.Recorder.Warning(_d, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if ((_d.Status.ObservedGeneration ?? 0) < (_d.Metadata.Generation ?? 0))
            {
                _d.Status.ObservedGeneration = _d.Metadata.Generation;
                await UpdateStatusAsync(ct);
            }
            return;
        }
        var replicaSets = await ClaimReplicaSetsAsync(ct);
        if (_d.Metadata.DeletionTimestamp is not null)
        {
            var (newRs, oldRs) = await GetAllReplicaSetsAsync(replicaSets, create: false, ct);
            await SyncDeploymentStatusAsync([.. oldRs, newRs], newRs, ct);
            return;
        }
        await CheckPausedConditionsAsync(ct);
        if (_d.Spec.Paused == true || await IsScalingEventAsync(replicaSets, ct))
        {
            await ScaleOnlyAsync(replicaSets, ct);
            return;
        }
        if (IsRollingUpdate(_d)) await RolloutRollingAsync(replicaSets, ct);
        else await RolloutRecreateAsync(replicaSets, ct);
    }

    /// <summary>
    /// ReplicaSets this Deployment controls, adopting matching orphans and releasing owned ones that no longer match
    /// (ControllerRefManager.ClaimReplicaSets). Returned as private copies.
    /// </summary>
    private async Task<List<V1ReplicaSet>> ClaimReplicaSetsAsync(CancellationToken ct)
    {
        var selector = Selectors.From(_d.Spec.Selector);
        var claimed = new List<V1ReplicaSet>();
        bool? canAdopt = null;
        foreach (var cached in context.ReplicaSets.List(_d.Metadata.NamespaceProperty))
        {
            var matches = Selectors.Matches(selector, cached.Metadata.Labels);
            var owner = Selectors.ControllerOf(cached.Metadata);
            if (owner is not null)
            {
                if (owner.Uid != _d.Metadata.Uid) continue;
                if (matches) claimed.Add(ObjectCopy.DeepCopy(cached));
                else if (_d.Metadata.DeletionTimestamp is null) await ReleaseAsync(cached, ct);
                continue;
            }
            if (!matches || _d.Metadata.DeletionTimestamp is not null || cached.Metadata.DeletionTimestamp is not null) continue;
            // Adopt only if the Deployment as stored now is this one and alive (RecheckDeletionTimestamp).
            canAdopt ??= await _deploymentsApi.GetAsync(_d.Metadata.NamespaceProperty, _d.Metadata.Name, ct) is { } fresh
                && fresh.Metadata.Uid == _d.Metadata.Uid && fresh.Metadata.DeletionTimestamp is null;
            if (canAdopt != true) continue;
            var rs = ObjectCopy.DeepCopy(cached);
            rs.Metadata.OwnerReferences = [.. rs.Metadata.OwnerReferences ?? [], Selectors.ControllerReference(_d)];
            claimed.Add(await _replicaSetsApi.UpdateAsync(rs, ct));
        }
        return claimed;
    }

    private async Task ReleaseAsync(V1ReplicaSet cached, CancellationToken ct)
    {
        var rs = ObjectCopy.DeepCopy(cached);
        rs.Metadata.OwnerReferences = [.. rs.Metadata.OwnerReferences!.Where(o => o.Uid != _d.Metadata.Uid)];
        try { await _replicaSetsApi.UpdateAsync(rs, ct); }
        catch (ApiClientException ex) when (ex.IsNotFound) { }
    }

    /// <summary>The new ReplicaSet (created when asked) and all old ones, syncing revisions (getAllReplicaSetsAndSyncRevision).</summary>
    private async Task<(V1ReplicaSet? New, List<V1ReplicaSet> Old)> GetAllReplicaSetsAsync(List<V1ReplicaSet> replicaSets, bool create, CancellationToken ct)
    {
        var oldRs = FindOld(_d, replicaSets);
        var newRs = await GetNewReplicaSetAsync(replicaSets, oldRs, create, ct);
        return (newRs, oldRs);
    }

    private async Task<V1ReplicaSet?> GetNewReplicaSetAsync(List<V1ReplicaSet> replicaSets, List<V1ReplicaSet> oldRs, bool create, CancellationToken ct)
    {
        var newRevision = MaxRevision(oldRs) + 1;
        if (FindNew(_d, replicaSets) is { } existing)
        {
            var annotationsChanged = DeploymentAnnotations.SetNewReplicaSet(_d, existing, newRevision, exists: true, MaxSurge(_d));
            var minReadyChanged = (existing.Spec.MinReadySeconds ?? 0) != (_d.Spec.MinReadySeconds ?? 0);
            if (annotationsChanged || minReadyChanged)
            {
                existing.Spec.MinReadySeconds = _d.Spec.MinReadySeconds;
                Refresh(existing, await _replicaSetsApi.UpdateAsync(existing, ct));
            }
            var needsUpdate = DeploymentAnnotations.SetDeploymentRevision(_d, DeploymentAnnotations.Lookup(existing.Metadata.Annotations, DeploymentAnnotations.Revision) ?? "");
            if (HasProgressDeadline(_d) && DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing) is null)
            {
                DeploymentConditions.Set(_d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                    DeploymentConditions.FoundNewReplicaSet, $"Found new replica set \"{existing.Metadata.Name}\"", Now));
                needsUpdate = true;
            }
            if (needsUpdate) await UpdateStatusAsync(ct);
            return existing;
        }
        if (!create) return null;
        return await CreateNewReplicaSetAsync(oldRs, newRevision, ct);
    }

    private async Task<V1ReplicaSet> CreateNewReplicaSetAsync(List<V1ReplicaSet> oldRs, long newRevision, CancellationToken ct)
    {
        var hash = PodTemplateHash.Compute(_d.Spec.Template, _d.Status.CollisionCount);
        var template = ObjectCopy.DeepCopy(_d.Spec.Template);
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels = new Dictionary<string, string>(template.Metadata.Labels ?? new Dictionary<string, string>()) { [PodTemplateHash.Label] = hash };
        var selector = ObjectCopy.DeepCopy(_d.Spec.Selector);
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>()) { [PodTemplateHash.Label] = hash };
        var rs = new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{_d.Metadata.Name}-{hash}",
                NamespaceProperty = _d.Metadata.NamespaceProperty,
                OwnerReferences = [Selectors.ControllerReference(_d)],
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, MinReadySeconds = _d.Spec.MinReadySeconds, Selector = selector, Template = template },
        };
        var replicas = NewReplicaSetReplicas(_d, [.. oldRs, rs], rs);
        rs.Spec.Replicas = replicas;
        DeploymentAnnotations.SetNewReplicaSet(_d, rs, newRevision, exists: false, MaxSurge(_d));
        V1ReplicaSet created;
        var alreadyExists = false;
        try
        {
            created = await _replicaSetsApi.CreateAsync(rs, cancellationToken: ct);
        }
        catch (ApiClientException ex) when (ex.IsAlreadyExists)
        {
            alreadyExists = true;
            var found = await _replicaSetsApi.GetAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, ct);
            if (found is null) throw;
            if (Selectors.ControllerOf(found.Metadata)?.Uid != _d.Metadata.Uid || !EqualIgnoreHash(_d.Spec.Template, found.Spec.Template))
            {
                // A different ReplicaSet holds the name: salt the hash with a bumped collision count and retry.
                _d.Status.CollisionCount = (_d.Status.CollisionCount ?? 0) + 1;
                await UpdateStatusAsync(ct);
                throw;
            }
            created = found;
        }
        catch (ApiClientException ex) when (!ex.IsAlreadyExists && ex.Reason != "Forbidden")
        {
            var message = $"Failed to create new replica set \"{rs.Metadata.Name}\": {ex.Message}";
            if (HasProgressDeadline(_d))
            {
                DeploymentConditions.Set(_d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "False",
                    DeploymentConditions.FailedReplicaSetCreate, message, Now));
                try { await UpdateStatusAsync(ct); }
                catch (ApiClientException) { }
            }
            context.Recorder.Warning(_d, DeploymentConditions.FailedReplicaSetCreate, message);
            throw;
        }
        if (!alreadyExists && replicas > 0)
            context.Recorder.Normal(_d, ScalingReplicaSet, $"Scaled up replica set {created.Metadata.Name} from 0 to {replicas}");
        var needsUpdate = DeploymentAnnotations.SetDeploymentRevision(_d, newRevision.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!alreadyExists && HasProgressDeadline(_d))
        {
            DeploymentConditions.Set(_d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                DeploymentConditions.NewReplicaSetCreated, $"Created new replica set \"{created.Metadata.Name}\"", Now));
            needsUpdate = true;
        }
        if (needsUpdate) await UpdateStatusAsync(ct);
        return created;
    }

    /// <summary>Scales when the replica count changed, without rolling out (scale + sync).</summary>
    private async Task ScaleOnlyAsync(List<V1ReplicaSet> replicaSets, CancellationToken ct)
    {
        var (newRs, oldRs) = await GetAllReplicaSetsAsync(replicaSets, create: false, ct);
        await ScaleAsync(newRs, oldRs, ct);
        if (_d.Spec.Paused == true) await CleanupAsync(oldRs, ct);
        await SyncDeploymentStatusAsync([.. oldRs, newRs], newRs, ct);
    }

    /// <summary>Whether an active ReplicaSet was sized for a different spec.replicas (isScalingEvent).</summary>
    private async Task<bool> IsScalingEventAsync(List<V1ReplicaSet> replicaSets, CancellationToken ct)
    {
        var (newRs, oldRs) = await GetAllReplicaSetsAsync(replicaSets, create: false, ct);
        return Active([.. oldRs, newRs]).Any(rs => DeploymentAnnotations.DesiredOf(rs) is { } desired && desired != Replicas(_d));
    }

    /// <summary>
    /// Resizes ReplicaSets to the Deployment's replica count: the only active one directly, otherwise old ones to zero
    /// once the new one is saturated, otherwise every active one in proportion to its size (scale).
    /// </summary>
    private async Task ScaleAsync(V1ReplicaSet? newRs, List<V1ReplicaSet> oldRs, CancellationToken ct)
    {
        if (FindActiveOrLatest(newRs, oldRs) is { } only)
        {
            if (Replicas(only) != Replicas(_d)) await ScaleAndRecordAsync(only, Replicas(_d), ct);
            return;
        }
        if (IsSaturated(_d, newRs))
        {
            foreach (var old in Active(oldRs)) await ScaleAndRecordAsync(old, 0, ct);
            return;
        }
        if (!IsRollingUpdate(_d)) return;
        var active = Active([.. oldRs, newRs]);
        var allowed = Replicas(_d) > 0 ? Replicas(_d) + MaxSurge(_d) : 0;
        var toAdd = allowed - SpecSum(active);
        var operation = "";
        if (toAdd > 0) (active, operation) = (BySize(active, newerFirst: true), "up");
        else if (toAdd < 0) (active, operation) = (BySize(active, newerFirst: false), "down");
        var added = 0;
        var sizes = new Dictionary<string, int>();
        foreach (var rs in active)
        {
            var proportion = toAdd != 0 ? Proportion(rs, _d, toAdd, added) : 0;
            sizes[rs.Metadata.Name] = Replicas(rs) + proportion;
            added += proportion;
        }
        // Rounding leftovers go to the largest ReplicaSet.
        if (toAdd != 0 && active.Count > 0) sizes[active[0].Metadata.Name] = Math.Max(0, sizes[active[0].Metadata.Name] + toAdd - added);
        foreach (var rs in active) await ScaleReplicaSetAsync(rs, sizes[rs.Metadata.Name], operation, ct);
    }

    private async Task<bool> ScaleAndRecordAsync(V1ReplicaSet rs, int newScale, CancellationToken ct)
    {
        if (Replicas(rs) == newScale) return false;
        return await ScaleReplicaSetAsync(rs, newScale, Replicas(rs) < newScale ? "up" : "down", ct);
    }

    /// <summary>Sets a ReplicaSet's size and desired/max annotations; true when the size changed (scaleReplicaSet).</summary>
    private async Task<bool> ScaleReplicaSetAsync(V1ReplicaSet rs, int newScale, string operation, CancellationToken ct)
    {
        var sizeChanges = Replicas(rs) != newScale;
        var maxReplicas = Replicas(_d) + MaxSurge(_d);
        if (!sizeChanges && !DeploymentAnnotations.ReplicasNeedUpdate(rs, Replicas(_d), maxReplicas)) return false;
        var oldScale = Replicas(rs);
        rs.Spec.Replicas = newScale;
        DeploymentAnnotations.SetReplicas(rs, Replicas(_d), maxReplicas);
        Refresh(rs, await _replicaSetsApi.UpdateAsync(rs, ct));
        if (sizeChanges) context.Recorder.Normal(_d, ScalingReplicaSet, $"Scaled {operation} replica set {rs.Metadata.Name} from {oldScale} to {newScale}");
        return sizeChanges;
    }

    /// <summary>Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit (cleanupDeployment).</summary>
    private async Task CleanupAsync(List<V1ReplicaSet> oldRs, CancellationToken ct)
    {
        if (!HasRevisionHistoryLimit(_d)) return;
        var cleanable = ByRevision(oldRs.Where(rs => rs.Metadata.DeletionTimestamp is null));
        var excess = cleanable.Count - _d.Spec.RevisionHistoryLimit!.Value;
        for (var i = 0; i < excess; i++)
        {
            var rs = cleanable[i];
            if ((rs.Status?.Replicas ?? 0) != 0 || Replicas(rs) != 0 || (rs.Metadata.Generation ?? 0) > (rs.Status?.ObservedGeneration ?? 0)) continue;
            try { await _replicaSetsApi.DeleteAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, cancellationToken: ct); }
            catch (ApiClientException ex) when (ex.IsNotFound) { }
        }
    }

    private static void Refresh(V1ReplicaSet rs, V1ReplicaSet stored)
    {
        rs.Metadata = stored.Metadata;
        rs.Spec = stored.Spec;
        rs.Status = stored.Status;
    }

    private async Task UpdateStatusAsync(CancellationToken ct)
    {
        _d = await _deploymentsApi.UpdateStatusAsync(_d, ct);
        _d.Status ??= new V1DeploymentStatus();
    }
}
