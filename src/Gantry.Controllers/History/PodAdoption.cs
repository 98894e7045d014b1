using Gantry.Client;
using Gantry.Client.Informers;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.History;

/// <summary>
/// Kubernetes' ControllerRefManager for pods: a workload adopts orphan pods its selector matches (adding itself as
/// controller) and releases pods it controls that its selector no longer matches, both by strategic merge patch with
/// the pod's uid as a precondition.
/// </summary>
internal sealed class PodAdoption(IApiClient client, Informer<V1Pod> pods, string apiVersion, string kind)
{
    /// <summary>
    /// The pods the owner controls after adopting and releasing: its own pods (from <paramref name="owned"/>) that still
    /// match, plus matching orphans in its namespace; a pod matches when the selector and <paramref name="accept"/> do.
    /// </summary>
    public async Task<List<V1Pod>> ClaimAsync(IKubernetesObject<V1ObjectMeta> owner, V1LabelSelector? selector, IReadOnlyList<V1Pod> owned,
        Func<V1Pod, bool> accept, CancellationToken cancellationToken)
    {
        var result = new List<V1Pod>();
        foreach (var pod in owned)
        {
            if (LabelSelectors.Matches(selector, pod.Metadata.Labels) && accept(pod))
            {
                result.Add(pod);
                continue;
            }
            if (pod.Metadata.DeletionTimestamp is not null) continue;
            await PatchAsync(pod, new[] { new Dictionary<string, object> { ["$patch"] = "delete", ["uid"] = owner.Metadata.Uid } }, cancellationToken);
        }
        if (owner.Metadata.DeletionTimestamp is not null) return result;
        foreach (var pod in pods.List(owner.Metadata.NamespaceProperty))
        {
            if (OwnerReferences.ControllerOf(pod) is not null || pod.Metadata.DeletionTimestamp is not null) continue;
            if (!LabelSelectors.Matches(selector, pod.Metadata.Labels) || !accept(pod)) continue;
            var adopted = await PatchAsync(pod, new[] { OwnerReferences.ControllerRef(owner, apiVersion, kind) }, cancellationToken);
            if (adopted is not null) result.Add(adopted);
        }
        return result;
    }

    private async Task<V1Pod?> PatchAsync(V1Pod pod, object ownerReferences, CancellationToken cancellationToken)
    {
        try
        {
            var patched = await client.For<V1Pod>().PatchAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, PatchType.StrategicMerge,
                new Dictionary<string, object> { ["metadata"] = new Dictionary<string, object> { ["ownerReferences"] = ownerReferences, ["uid"] = pod.Metadata.Uid } },
                cancellationToken: cancellationToken);
            await CacheWait.UntilWrittenAsync(pods, patched, cancellationToken);
            return patched;
        }
        catch (ApiClientException ex) when (ex.IsNotFound || ex.IsInvalid || ex.IsConflict)
        {
            // Gone, or replaced by another pod of that name: nothing to adopt or release.
            return null;
        }
    }
}
