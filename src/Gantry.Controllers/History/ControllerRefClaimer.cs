using Gantry.Client.Selectors;
using Gantry.Client;
using Gantry.Client.Informers;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.History;

/// <summary>
/// Kubernetes' ControllerRefManager: a workload adopts orphans its selector matches (pods, ControllerRevisions), adding
/// itself as their controller, and releases objects it controls that its selector no longer matches, both by strategic
/// merge patch with the object's uid as a precondition.
/// </summary>
internal sealed class ControllerRefClaimer<T>(IApiClient client, Informer<T> informer, string apiVersion, string kind)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>
    /// The objects the owner controls after adopting and releasing: its own (from <paramref name="owned"/>) that still
    /// match, plus matching orphans in its namespace; an object matches when the selector and <paramref name="accept"/> do.
    /// </summary>
    public async Task<List<T>> ClaimAsync(IKubernetesObject<V1ObjectMeta> owner, V1LabelSelector? selector, IReadOnlyList<T> owned,
        Func<T, bool> accept, CancellationToken cancellationToken)
    {
        var result = new List<T>();
        foreach (var obj in owned)
        {
            if (LabelSelectors.MatchesNonEmpty(selector, obj.Metadata.Labels) && accept(obj))
            {
                result.Add(obj);
                continue;
            }
            if (obj.Metadata.DeletionTimestamp is not null) continue;
            await PatchAsync(obj, new[] { new Dictionary<string, object> { ["$patch"] = "delete", ["uid"] = owner.Metadata.Uid } }, cancellationToken);
        }
        if (owner.Metadata.DeletionTimestamp is not null) return result;
        foreach (var obj in informer.List(owner.Metadata.NamespaceProperty))
        {
            if (OwnerReferences.ControllerOf(obj) is not null || obj.Metadata.DeletionTimestamp is not null) continue;
            if (!LabelSelectors.MatchesNonEmpty(selector, obj.Metadata.Labels) || !accept(obj)) continue;
            var adopted = await PatchAsync(obj, new[] { OwnerReferences.ControllerRef(owner, apiVersion, kind) }, cancellationToken);
            if (adopted is not null) result.Add(adopted);
        }
        return result;
    }

    private async Task<T?> PatchAsync(T obj, object ownerReferences, CancellationToken cancellationToken)
    {
        try
        {
            var patched = await client.For<T>().PatchAsync(obj.Metadata.NamespaceProperty, obj.Metadata.Name, PatchType.StrategicMerge,
                new Dictionary<string, object> { ["metadata"] = new Dictionary<string, object> { ["ownerReferences"] = ownerReferences, ["uid"] = obj.Metadata.Uid } },
                cancellationToken: cancellationToken);
            await CacheWait.UntilWrittenAsync(informer, patched, cancellationToken);
            return patched;
        }
        catch (ApiClientException ex) when (ex.IsNotFound || ex.IsInvalid || ex.IsConflict)
        {
            // Gone, or replaced by another object of that name: nothing to adopt or release.
            return null;
        }
    }
}
