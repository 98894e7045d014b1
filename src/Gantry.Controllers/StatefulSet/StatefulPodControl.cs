using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.StatefulSet;

/// <summary>
/// Writes a StatefulSet's pods and claims through the API and records the events Kubernetes records
/// ("create Pod web-0 in StatefulSet web successful", "create Claim www-web-0 Pod web-0 in StatefulSet web success").
/// </summary>
internal sealed class StatefulPodControl(IApiClient client, Informer<V1Pod> pods, Informer<V1PersistentVolumeClaim> claims, EventRecorder recorder)
{
    /// <summary>Creates the pod's missing claims, then the pod, then sets the claims' owners for the retention policy.</summary>
    public async Task CreatePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await CreateMissingClaimsAsync(set, pod, cancellationToken);
        }
        catch (ApiClientException ex)
        {
            RecordPodEvent("create", set, pod, ex);
            throw;
        }
        V1Pod created;
        try
        {
            created = await client.For<V1Pod>().CreateAsync(pod, set.Metadata.NamespaceProperty, cancellationToken);
        }
        catch (ApiClientException ex) when (!ex.IsAlreadyExists)
        {
            // An existing pod of that name is no failure worth an event: the next pass sees it in the cache.
            RecordPodEvent("create", set, pod, ex);
            throw;
        }
        await CacheWait.UntilCreatedAsync(pods, created, cancellationToken);
        await UpdateClaimsForRetentionAsync(set, created, cancellationToken);
        RecordPodEvent("create", set, pod, null);
    }

    /// <summary>Deletes a pod of the set.</summary>
    public async Task DeletePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await client.For<V1Pod>().DeleteAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name,
                new DeleteOptions { PreconditionUid = pod.Metadata.Uid }, cancellationToken);
        }
        catch (ApiClientException ex) when (!ex.IsNotFound)
        {
            RecordPodEvent("delete", set, pod, ex);
            throw;
        }
        await CacheWait.UntilDeletedAsync(pods, pod, cancellationToken);
        RecordPodEvent("delete", set, pod, null);
    }

    /// <summary>Brings an existing pod's identity labels, volumes and claim owners in line with the set.</summary>
    public async Task UpdatePodAsync(V1StatefulSet set, V1Pod cached, CancellationToken cancellationToken)
    {
        var pod = ObjectCopy.DeepCopy(cached);
        for (var attempt = 0; ; attempt++)
        {
            var consistent = true;
            if (!StatefulSetPods.IdentityMatches(set, pod))
            {
                StatefulSetPods.UpdateIdentity(set, pod);
                consistent = false;
            }
            if (!StatefulSetPods.StorageMatches(set, pod))
            {
                StatefulSetPods.UpdateStorage(set, pod);
                consistent = false;
                await CreateMissingClaimsAsync(set, pod, cancellationToken);
            }
            if (!ClaimsMatchRetention(set, pod))
                await UpdateClaimsForRetentionAsync(set, pod, cancellationToken);
            if (consistent) return;
            try
            {
                await client.For<V1Pod>().UpdateAsync(pod, cancellationToken);
                RecordPodEvent("update", set, pod, null);
                return;
            }
            catch (ConflictException) when (attempt < 10 && pods.Get(pod.Metadata.NamespaceProperty, pod.Metadata.Name) is { } fresh)
            {
                pod = ObjectCopy.DeepCopy(fresh);
            }
            catch (ApiClientException ex)
            {
                RecordPodEvent("update", set, pod, ex);
                throw;
            }
        }
    }

    /// <summary>Creates the claims of the pod that do not exist yet (an existing claim is never changed).</summary>
    public async Task CreateMissingClaimsAsync(V1StatefulSet set, V1Pod pod, CancellationToken cancellationToken)
    {
        var errors = new List<Exception>();
        foreach (var (_, claim) in StatefulSetPods.Claims(set, pod))
        {
            var existing = claims.Get(claim.Metadata.NamespaceProperty, claim.Metadata.Name)
                ?? await client.For<V1PersistentVolumeClaim>().GetAsync(claim.Metadata.NamespaceProperty, claim.Metadata.Name, cancellationToken);
            if (existing is not null)
            {
                if (existing.Metadata.DeletionTimestamp is not null) errors.Add(new InvalidOperationException($"pvc {claim.Metadata.Name} is being deleted"));
                continue;
            }
            try
            {
                var created = await client.For<V1PersistentVolumeClaim>().CreateAsync(claim, cancellationToken: cancellationToken);
                await CacheWait.UntilCreatedAsync(claims, created, cancellationToken);
                RecordClaimEvent(set, pod, claim, null);
            }
            catch (ApiClientException ex) when (ex.IsAlreadyExists)
            {
                errors.Add(new InvalidOperationException($"failed to create PVC {claim.Metadata.Name}: {ex.Message}", ex));
            }
            catch (ApiClientException ex)
            {
                RecordClaimEvent(set, pod, claim, ex);
                errors.Add(new InvalidOperationException($"failed to create PVC {claim.Metadata.Name}: {ex.Message}", ex));
            }
        }
        if (errors.Count > 0) throw new AggregateException(errors);
    }

    /// <summary>
    /// Whether a claim of a pod yet to be created is still owned by an earlier pod of that name (whenScaled=Delete):
    /// the garbage collector is about to delete it, so the new pod must wait rather than mount it.
    /// </summary>
    public bool ClaimIsStale(V1StatefulSet set, V1Pod pod) =>
        StatefulSetPods.Claims(set, pod).Any(c => claims.Get(c.Claim.Metadata.NamespaceProperty, c.Claim.Metadata.Name) is { } existing &&
            existing.Metadata.OwnerReferences?.Any(r => r.Kind == "Pod" && r.Name == pod.Metadata.Name && r.Uid != pod.Metadata.Uid) == true);

    /// <summary>Whether every existing claim of the pod has the owners the retention policy asks for.</summary>
    public bool ClaimsMatchRetention(V1StatefulSet set, V1Pod pod)
    {
        foreach (var (_, claim) in StatefulSetPods.Claims(set, pod))
        {
            if (claims.Get(claim.Metadata.NamespaceProperty, claim.Metadata.Name) is not { } existing) continue;
            if (!ClaimRetention.IsUpToDate(existing, set, pod)) return false;
        }
        return true;
    }

    /// <summary>Sets the owners of the pod's claims for the retention policy (set owns them, or a scaled-down pod does).</summary>
    public async Task UpdateClaimsForRetentionAsync(V1StatefulSet set, V1Pod pod, CancellationToken cancellationToken)
    {
        foreach (var (_, claim) in StatefulSetPods.Claims(set, pod))
        {
            if (claims.Get(claim.Metadata.NamespaceProperty, claim.Metadata.Name) is not { } existing) continue;
            if (ClaimRetention.IsUpToDate(existing, set, pod)) continue;
            var updated = ObjectCopy.DeepCopy(existing);
            updated.Metadata.OwnerReferences = ClaimRetention.Owners(existing, set, pod);
            var written = await client.For<V1PersistentVolumeClaim>().UpdateAsync(updated, cancellationToken);
            await CacheWait.UntilWrittenAsync(claims, written, cancellationToken);
        }
    }

    private void RecordPodEvent(string verb, V1StatefulSet set, V1Pod pod, Exception? error)
    {
        var reason = char.ToUpperInvariant(verb[0]) + verb[1..];
        if (error is null)
            recorder.Normal(set, $"Successful{reason}", $"{verb} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} successful");
        else
            recorder.Warning(set, $"Failed{reason}", $"{verb} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {error.Message}");
    }

    private void RecordClaimEvent(V1StatefulSet set, V1Pod pod, V1PersistentVolumeClaim claim, Exception? error)
    {
        if (error is null)
            recorder.Normal(set, "SuccessfulCreate", $"create Claim {claim.Metadata.Name} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} success");
        else
            recorder.Warning(set, "FailedCreate",
                $"create Claim {claim.Metadata.Name} for Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {error.Message}");
    }
}
