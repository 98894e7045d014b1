using Gantry.Client;
using Gantry.Client.Volumes;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>PreBind: Kubernetes' BindPodVolumes (write the reserved decisions, then wait until every claim is bound).</summary>
internal sealed partial class VolumeBinding
{
    /// <summary>
    /// Writes the reserved volume claimRefs and claim selected-node annotations, then waits (up to the bind timeout) until
    /// the persistent volume controller and the provisioners have bound every claim. Throws
    /// <see cref="VolumeBindingException"/> when binding failed or timed out.
    /// </summary>
    public async Task PreBindAsync(VolumeBindingState state, V1Pod pod, V1Node node, CancellationToken cancellationToken)
    {
        if (state.Reserved is not { AllBound: false } reserved) return;
        try
        {
            foreach (var (_, volume) in reserved.StaticBindings)
                await _client.For<V1PersistentVolume>().UpdateAsync(volume, cancellationToken).ConfigureAwait(false);
            foreach (var claim in reserved.Provisions)
                await _client.For<V1PersistentVolumeClaim>().UpdateAsync(claim, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiClientException ex)
        {
            throw new VolumeBindingException(ex.Message, ex);
        }
        using var timeout = new CancellationTokenSource(_options.BindTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            while (!CheckBindings(reserved, pod, node))
                await Task.Delay(_options.PollInterval, _time, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new VolumeBindingException("binding volumes: context deadline exceeded");
        }
    }

    /// <summary>
    /// Kubernetes' checkBindings against the informers: true once every claim is fully bound; false while waiting (also
    /// while the informer still has versions older than those written); throws when the binding went wrong.
    /// </summary>
    private bool CheckBindings(NodeVolumes reserved, V1Pod pod, V1Node node)
    {
        // A deleted pod needs no volumes any more.
        if (_pods.Get(pod.Metadata.NamespaceProperty, pod.Metadata.Name) is not { } current || current.Metadata.Uid != pod.Metadata.Uid)
            throw new VolumeBindingException($"binding volumes: pod does not exist any more: pods \"{pod.Metadata.Name}\" not found");
        foreach (var (claim, written) in reserved.StaticBindings)
        {
            var volume = _volumes.GetApi(null, written.Metadata.Name)
                ?? throw new VolumeBindingException($"binding volumes: failed to check binding: pv \"{written.Metadata.Name}\" not found");
            if (VolumeAssumeCache<V1PersistentVolume>.CompareVersions(written, volume) > 0) return false;
            CheckAffinity(volume, node);
            if (string.IsNullOrEmpty(volume.Spec.ClaimRef?.Uid))
                throw new VolumeBindingException($"binding volumes: ClaimRef got reset for pv \"{volume.Metadata.Name}\"");
            if (!IsFullyBound(_claims.GetApi(claim.Metadata.NamespaceProperty, claim.Metadata.Name))) return false;
        }
        foreach (var written in reserved.Provisions)
        {
            var claim = _claims.GetApi(written.Metadata.NamespaceProperty, written.Metadata.Name)
                ?? throw new VolumeBindingException($"binding volumes: failed to check provisioning pvc: pvc \"{written.Metadata.Name}\" not found");
            if (VolumeAssumeCache<V1PersistentVolumeClaim>.CompareVersions(written, claim) > 0) return false;
            if (claim.Metadata.Annotations is null)
                throw new VolumeBindingException($"binding volumes: selectedNode annotation reset for PVC \"{claim.Metadata.Name}\"");
            // A provisioner that cannot provision removes the annotation to hand the claim back to the scheduler.
            if (claim.Metadata.Annotations.TryGetValue(VolumeAnnotations.SelectedNode, out var selected) != true || selected != node.Metadata.Name)
                throw new VolumeBindingException($"binding volumes: provisioning failed for PVC \"{claim.Metadata.Name}\"");
            if (!string.IsNullOrEmpty(claim.Spec.VolumeName))
            {
                // The volume may not have reached the informer yet.
                if (_volumes.GetApi(null, claim.Spec.VolumeName) is not { } volume) return false;
                CheckAffinity(volume, node);
            }
            if (!IsFullyBound(claim)) return false;
        }
        return true;
    }

    private static void CheckAffinity(V1PersistentVolume volume, V1Node node)
    {
        if (!VolumeMatching.NodeAffinityMatches(volume, node))
            throw new VolumeBindingException(
                $"binding volumes: pv \"{volume.Metadata.Name}\" node affinity doesn't match node \"{node.Metadata.Name}\": no matching NodeSelectorTerms");
    }

    private static bool IsFullyBound(V1PersistentVolumeClaim? claim) =>
        claim is not null && !string.IsNullOrEmpty(claim.Spec.VolumeName) && claim.Metadata.Annotations?.ContainsKey(VolumeAnnotations.BindCompleted) == true;
}
