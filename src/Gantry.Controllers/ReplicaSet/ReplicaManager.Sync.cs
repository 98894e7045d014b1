using System.Runtime.ExceptionServices;
using Gantry.Client;
using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>The level-triggered sync of one owner: claim pods, create or delete to reach spec.replicas, write status.</summary>
internal sealed partial class ReplicaManager<TOwner>
{
    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var owner = _owners.Get(ns, name);
        if (owner is null)
        {
            _expectations.Delete(key);
            return;
        }
        // Read before listing pods: a sync may act only on a cache that already shows its earlier creates and deletes.
        var needsSync = _expectations.Satisfied(key);
        if (_kind.Selector(owner) is not { } selector)
        {
            LogBadSelector(_logger, _kind.Kind, key);
            return;
        }
        var controllerRef = ControllerRef(owner);
        var active = _pods.List(ns).Where(PodState.IsActive);
        var claimer = new PodClaimer<TOwner>(owner, selector, controllerRef, _podControl, token => RecheckOwnerAsync(owner, token));
        var pods = await claimer.ClaimAsync(active, cancellationToken).ConfigureAwait(false);

        Exception? manageError = null;
        if (needsSync && owner.Metadata.DeletionTimestamp is null)
            manageError = await ManageReplicasAsync(key, owner, controllerRef, pods, cancellationToken).ConfigureAwait(false);

        var updated = await UpdateStatusAsync(owner, CalculateStatus(owner, pods, manageError), cancellationToken).ConfigureAwait(false);
        // A last line of defence against clock skew: look again once the ready pods should have become available.
        var replicas = _kind.Replicas(updated);
        var minReady = _kind.MinReadySeconds(updated);
        var status = _kind.ReadStatus(updated);
        if (manageError is null && minReady > 0 && status.ReadyReplicas == replicas && status.AvailableReplicas != replicas)
            _queue.AddAfter(key, TimeSpan.FromSeconds(minReady));
        if (manageError is not null) ExceptionDispatchInfo.Throw(manageError);
    }

    /// <summary>Creates or deletes pods towards spec.replicas; returns the first failure (the sync is then retried).</summary>
    private async Task<Exception?> ManageReplicasAsync(string key, TOwner owner, V1OwnerReference controllerRef, List<V1Pod> pods,
        CancellationToken cancellationToken)
    {
        var replicas = _kind.Replicas(owner);
        var diff = pods.Count - replicas;
        if (diff < 0)
        {
            var count = Math.Min(-diff, _options.BurstReplicas);
            _expectations.ExpectCreations(key, count);
            LogCreating(_logger, _kind.Kind, key, replicas, count);
            var template = _kind.Template(owner);
            var (successes, error) = await SlowStartBatch.RunAsync(count, SlowStartBatch.InitialBatchSize, async () =>
            {
                if (template is null) throw new InvalidOperationException($"{_kind.Kind} {key} has no pod template");
                try
                {
                    await _podControl.CreateAsync(owner, template, controllerRef, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiClientException ex) when (PodControl.IsNamespaceTerminating(ex))
                {
                    // Every create fails while the namespace goes away; nothing to retry.
                }
            }).ConfigureAwait(false);
            // Creates never attempted (or failed) will never be observed.
            for (var skipped = count - successes; skipped > 0; skipped--) _expectations.CreationObserved(key);
            return error;
        }
        if (diff > 0)
        {
            var count = Math.Min(diff, _options.BurstReplicas);
            LogDeleting(_logger, _kind.Kind, key, replicas, count);
            var victims = count < pods.Count
                ? ActivePodsRanking.Sort(pods, RelatedPods(owner), _context.Time.GetUtcNow()).Take(count).ToList()
                : pods.Take(count).ToList();
            _expectations.ExpectDeletions(key, victims.Select(PodState.Key).ToList());
            var results = await Task.WhenAll(victims.Select(async pod =>
            {
                try
                {
                    // Already gone: the informer may never report it, so observe it here.
                    if (!await _podControl.DeleteAsync(owner, pod.Metadata.Name, cancellationToken).ConfigureAwait(false))
                        _expectations.DeletionObserved(key, PodState.Key(pod));
                    return null;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _expectations.DeletionObserved(key, PodState.Key(pod));
                    return ex;
                }
            })).ConfigureAwait(false);
            return results.FirstOrDefault(e => e is not null);
        }
        return null;
    }

    /// <summary>
    /// Pods of every owner sharing this owner's controller (a Deployment's ReplicaSets), for the "doubled up on a node"
    /// rank; none when the owner has no controller.
    /// </summary>
    private List<V1Pod> RelatedPods(TOwner owner)
    {
        if (owner.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true) is not { } parent) return [];
        var ns = owner.Metadata.NamespaceProperty;
        var selectors = _owners.List(ns)
            .Where(o => o.Metadata.OwnerReferences?.Any(r => r.Controller == true && r.Uid == parent.Uid) == true)
            .Select(_kind.Selector).OfType<PodSelector>().ToList();
        return _pods.List(ns).Where(p => selectors.Any(s => s.Matches(p.Metadata.Labels))).ToList();
    }

    private ReplicaStatus CalculateStatus(TOwner owner, List<V1Pod> pods, Exception? manageError)
    {
        var now = _context.Time.GetUtcNow();
        var minReady = _kind.MinReadySeconds(owner);
        var templateLabels = PodSelector.FromLabels(_kind.Template(owner)?.Metadata?.Labels);
        var current = _kind.ReadStatus(owner);
        var conditions = current.Conditions.ToList();
        var failure = conditions.FirstOrDefault(c => c.Type == ReplicaCondition.ReplicaFailure);
        if (manageError is not null && failure is null)
        {
            var diff = pods.Count - _kind.Replicas(owner);
            var reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
            conditions.Add(new ReplicaCondition(ReplicaCondition.ReplicaFailure, "True", reason, manageError.Message, now.UtcDateTime));
        }
        else if (manageError is null && failure is not null)
        {
            conditions.RemoveAll(c => c.Type == ReplicaCondition.ReplicaFailure);
        }
        return new ReplicaStatus(
            Replicas: pods.Count,
            FullyLabeledReplicas: pods.Count(p => templateLabels.Matches(p.Metadata.Labels)),
            ReadyReplicas: pods.Count(PodState.IsReady),
            AvailableReplicas: pods.Count(p => PodState.IsAvailable(p, minReady, now)),
            ObservedGeneration: owner.Metadata.Generation,
            Conditions: conditions);
    }

    /// <summary>Writes the status when it changed; on a failure re-reads the owner and tries once more.</summary>
    private async Task<TOwner> UpdateStatusAsync(TOwner owner, ReplicaStatus status, CancellationToken cancellationToken)
    {
        if (_kind.ReadStatus(owner).SameAs(status)) return owner;
        var copy = ObjectCopy.DeepCopy(owner);
        for (var attempt = 0; ; attempt++)
        {
            _kind.WriteStatus(copy, status);
            try
            {
                return await _ownerClient.UpdateStatusAsync(copy, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiClientException) when (attempt == 0)
            {
                copy = await _ownerClient.GetAsync(owner.Metadata.NamespaceProperty, owner.Metadata.Name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"{_kind.Kind} {ObjectKey.Of(owner)} is gone");
            }
        }
    }

    /// <summary>The fresh read before adopting (RecheckDeletionTimestamp): same UID, not being deleted.</summary>
    private async Task RecheckOwnerAsync(TOwner owner, CancellationToken cancellationToken)
    {
        var ns = owner.Metadata.NamespaceProperty;
        var name = owner.Metadata.Name;
        var fresh = await _ownerClient.GetAsync(ns, name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{_kind.Kind} {ns}/{name} not found");
        if (fresh.Metadata.Uid != owner.Metadata.Uid)
            throw new InvalidOperationException($"original {_kind.Kind} {ns}/{name} is gone: got uid {fresh.Metadata.Uid}, wanted {owner.Metadata.Uid}");
        if (fresh.Metadata.DeletionTimestamp is { } deleted)
            throw new InvalidOperationException($"{ns}/{name} has just been deleted at {deleted:O}");
    }

    private V1OwnerReference ControllerRef(TOwner owner) => new()
    {
        ApiVersion = _kind.ApiVersion,
        Kind = _kind.Kind,
        Name = owner.Metadata.Name,
        Uid = owner.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
