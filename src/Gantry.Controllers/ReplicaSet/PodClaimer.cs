using Gantry.Client;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// Kubernetes' PodControllerRefManager.ClaimPods for one owner: keeps the pods it controls that its selector still
/// matches, releases those it no longer matches, and adopts matching orphans, but only after a fresh read of the owner
/// shows it still exists with the same UID and is not being deleted.
/// </summary>
internal sealed class PodClaimer<TOwner>(TOwner owner, PodSelector selector, V1OwnerReference controllerRef, PodControl pods,
    Func<CancellationToken, Task> recheckOwner) where TOwner : class, IKubernetesObject<V1ObjectMeta>
{
    private Task? _canAdopt;

    /// <summary>The pods the owner keeps or adopts; errors of individual adoptions/releases are thrown together at the end.</summary>
    public async Task<List<V1Pod>> ClaimAsync(IEnumerable<V1Pod> candidates, CancellationToken cancellationToken)
    {
        var claimed = new List<V1Pod>();
        var errors = new List<Exception>();
        var ownerDeleting = owner.Metadata.DeletionTimestamp is not null;
        foreach (var pod in candidates)
        {
            try
            {
                if (await ClaimOneAsync(pod, ownerDeleting, cancellationToken).ConfigureAwait(false)) claimed.Add(pod);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                errors.Add(ex);
            }
        }
        if (errors.Count == 1) throw errors[0];
        if (errors.Count > 1) throw new AggregateException(errors);
        return claimed;
    }

    private async Task<bool> ClaimOneAsync(V1Pod pod, bool ownerDeleting, CancellationToken cancellationToken)
    {
        var matches = selector.Matches(pod.Metadata.Labels);
        if (PodState.ControllerOf(pod) is { } reference)
        {
            if (reference.Uid != controllerRef.Uid) return false;
            if (matches) return true;
            if (ownerDeleting) return false;
            try
            {
                await pods.ReleaseAsync(pod, controllerRef.Uid, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiClientException ex) when (ex.IsNotFound || ex.IsInvalid)
            {
                // Gone, or being deleted with its UID changed: nothing left to release.
            }
            return false;
        }
        if (ownerDeleting || !matches || pod.Metadata.DeletionTimestamp is not null) return false;
        try
        {
            await (_canAdopt ??= recheckOwner(cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"can't adopt Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} ({pod.Metadata.Uid}): {ex.Message}", ex);
        }
        try
        {
            await pods.AdoptAsync(pod, controllerRef, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiClientException ex) when (ex.IsNotFound)
        {
            return false;
        }
        return true;
    }
}
