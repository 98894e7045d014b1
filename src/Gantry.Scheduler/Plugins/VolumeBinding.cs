using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Volumes;
using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// kube-scheduler's VolumeBinding plugin. PreFilter sorts a pod's claims (missing, lost or deleting ones and unbound
/// claims of Immediate classes make it unschedulable); Filter keeps the nodes its bound volumes' node affinity allows and
/// where each WaitForFirstConsumer claim gets a matching static volume or can be provisioned; Reserve assumes the choice
/// for the chosen node; PreBind writes it (a volume's claimRef, a claim's selected-node) and waits until every claim is
/// bound before the pod is.
/// </summary>
internal sealed partial class VolumeBinding
{
    private const string NodeConflict = "node(s) had volume node affinity conflict";
    private const string BindConflict = "node(s) didn't find available persistent volumes to bind";
    private const string VolumeMissing = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

    private readonly IApiClient _client;
    private readonly VolumeBindingOptions _options;
    private readonly TimeProvider _time;
    private readonly VolumeAssumeCache<V1PersistentVolume> _volumes;
    private readonly VolumeAssumeCache<V1PersistentVolumeClaim> _claims;
    private readonly Informer<V1StorageClass> _classes;
    private readonly Informer<V1Pod> _pods;

    /// <summary>
    /// Registers the claim, volume and class informers; <paramref name="onStorageChange"/> runs when any of them changes
    /// (it moves the unschedulable pods back to the active queue).
    /// </summary>
    public VolumeBinding(IApiClient client, SharedInformerFactory informers, VolumeBindingOptions options, TimeProvider time, Action onStorageChange)
    {
        _client = client;
        _options = options;
        _time = time;
        var volumes = informers.For<V1PersistentVolume>();
        var claims = informers.For<V1PersistentVolumeClaim>();
        _classes = informers.For<V1StorageClass>();
        _pods = informers.For<V1Pod>();
        _volumes = new VolumeAssumeCache<V1PersistentVolume>(volumes);
        _claims = new VolumeAssumeCache<V1PersistentVolumeClaim>(claims);
        volumes.AddEventHandler(onAdd: _ => onStorageChange(), onUpdate: (_, _) => onStorageChange());
        claims.AddEventHandler(onAdd: _ => onStorageChange(), onUpdate: (_, _) => onStorageChange());
        _classes.AddEventHandler(onAdd: _ => onStorageChange(), onUpdate: (_, _) => onStorageChange());
    }

    /// <summary>The plugin's kube-scheduler name.</summary>
    public static string Name => "VolumeBinding";

    /// <summary>Sorts the pod's claims; the state's <see cref="VolumeBindingState.Failure"/> says why no node can take it.</summary>
    public VolumeBindingState PreFilter(V1Pod pod)
    {
        var bound = new List<V1PersistentVolumeClaim>();
        var delayed = new List<V1PersistentVolumeClaim>();
        var unboundImmediate = false;
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            var ephemeral = volume.Ephemeral is not null;
            var claimName = volume.PersistentVolumeClaim?.ClaimName ?? (ephemeral ? $"{pod.Metadata.Name}-{volume.Name}" : null);
            if (claimName is null) continue;
            var claim = _claims.Get(pod.Metadata.NamespaceProperty, claimName);
            if (ClaimProblem(pod, claimName, claim, ephemeral) is { } problem) return new VolumeBindingState([], [], problem);
            if (!string.IsNullOrEmpty(claim!.Spec.VolumeName) && claim.Metadata.Annotations?.ContainsKey(VolumeAnnotations.BindCompleted) == true)
                bound.Add(claim);
            else if (string.IsNullOrEmpty(claim.Spec.VolumeName) && IsDelayBinding(claim))
                delayed.Add(claim);
            else
                unboundImmediate = true; // the persistent volume controller binds these; a pre-bound claim counts too
        }
        if (unboundImmediate) return new VolumeBindingState([], [], "pod has unbound immediate PersistentVolumeClaims");
        return bound.Count == 0 && delayed.Count == 0 ? VolumeBindingState.Skip : new VolumeBindingState(bound, delayed, null);
    }

    /// <summary>Assumes the decisions for the chosen node, so the next pods see its volumes taken and its claims placed.</summary>
    public void Reserve(VolumeBindingState state, V1Pod pod, string node)
    {
        if (!state.HasClaims || !state.ByNode.TryGetValue(node, out var decided) || decided.AllBound) return;
        var bindings = decided.StaticBindings.Select(b => (b.Claim, Volume: BindVolumeToClaim(b.Volume, b.Claim))).ToList();
        var provisions = decided.Provisions.Select(c => WithSelectedNode(c, node)).ToList();
        foreach (var (_, volume) in bindings) _volumes.Assume(volume);
        foreach (var claim in provisions) _claims.Assume(claim);
        state.Reserved = new NodeVolumes(bindings, provisions);
    }

    /// <summary>Forgets what <see cref="Reserve"/> assumed (scheduling or binding the pod failed).</summary>
    public void Unreserve(VolumeBindingState state)
    {
        if (state.Reserved is not { } reserved) return;
        foreach (var (_, volume) in reserved.StaticBindings) _volumes.Restore(volume);
        foreach (var claim in reserved.Provisions) _claims.Restore(claim);
        state.Reserved = null;
    }

    /// <summary>The FitError of a pod PreFilter rejected: every node fails for that one reason, which preemption cannot help.</summary>
    public static string FitMessage(V1Pod pod, int nodeCount, string failure)
    {
        var preemption = pod.Spec.PreemptionPolicy == "Never"
            ? "not eligible due to preemptionPolicy=Never."
            : $"0/{nodeCount} nodes are available: {nodeCount} Preemption is not helpful for scheduling.";
        return $"0/{nodeCount} nodes are available: {failure}. preemption: {preemption}";
    }

    /// <summary>Kubernetes' FindPodVolumes for one node (thread-safe: filters run in parallel).</summary>
    public Status Filter(VolumeBindingState state, V1Node node)
    {
        var reasons = new List<string>();
        foreach (var claim in state.BoundClaims)
        {
            var volume = _volumes.Get(null, claim.Spec.VolumeName);
            if (volume is null)
            {
                reasons.Add(VolumeMissing);
                break;
            }
            if (!VolumeMatching.NodeAffinityMatches(volume, node))
            {
                reasons.Add(NodeConflict);
                break;
            }
        }
        var decided = new NodeVolumes([], []);
        if (state.DelayedClaims.Count > 0)
        {
            var (satisfied, error, found) = FindDelayedVolumes(state.DelayedClaims, node);
            if (error is not null) return Status.Unresolvable(error);
            if (!satisfied) reasons.Add(BindConflict);
            decided = found;
        }
        if (reasons.Count > 0) return Status.Unresolvable([.. reasons]);
        state.ByNode[node.Metadata.Name] = decided;
        return Status.Success;
    }

    /// <summary>
    /// For WaitForFirstConsumer claims on one node: claims already placed must be placed here; the others get the
    /// smallest matching static volume available on the node, or else must be provisionable here.
    /// </summary>
    private (bool Satisfied, string? Error, NodeVolumes Found) FindDelayedVolumes(IReadOnlyList<V1PersistentVolumeClaim> delayed, V1Node node)
    {
        var toProvision = new List<V1PersistentVolumeClaim>();
        var toMatch = new List<V1PersistentVolumeClaim>();
        foreach (var listed in delayed)
        {
            // The claim as assumed (another pod of this scheduler may have placed it a moment ago).
            var claim = _claims.Get(listed.Metadata.NamespaceProperty, listed.Metadata.Name) ?? listed;
            var selected = claim.Metadata.Annotations?.TryGetValue(VolumeAnnotations.SelectedNode, out var value) == true ? value : null;
            if (selected is null) toMatch.Add(claim);
            else if (selected == node.Metadata.Name) toProvision.Add(claim);
            else return (false, null, new NodeVolumes([], []));
        }
        var bindings = new List<(V1PersistentVolumeClaim, V1PersistentVolume)>();
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        var allVolumes = toMatch.Count > 0 ? _volumes.List().ToList() : [];
        foreach (var claim in toMatch.OrderBy(VolumeMatching.Requested))
        {
            var className = VolumeMatching.ClaimClass(claim);
            var ofClass = allVolumes.Where(v => VolumeMatching.VolumeClass(v) == className);
            if (VolumeMatching.FindMatchingVolume(claim, ofClass, node, chosen, delayBinding: true) is { } volume)
            {
                chosen.Add(volume.Metadata.Name);
                bindings.Add((claim, volume));
            }
            else
            {
                toProvision.Add(claim);
            }
        }
        foreach (var claim in toProvision)
        {
            var className = VolumeMatching.ClaimClass(claim);
            if (className.Length == 0) return (false, $"no class for claim \"{claim.Metadata.Name}\"", new NodeVolumes([], []));
            if (_classes.Get(null, className) is not { } storageClass) return (false, $"failed to find storage class \"{className}\"", new NodeVolumes([], []));
            if (string.IsNullOrEmpty(storageClass.Provisioner) || storageClass.Provisioner == VolumeAnnotations.NoProvisioner
                || !TopologyAllows(storageClass, node))
            {
                return (false, null, new NodeVolumes([], []));
            }
        }
        return (true, null, new NodeVolumes(bindings, toProvision));
    }

    /// <summary>Whether the class's allowedTopologies admit the node (no terms: every node; else any term whose label expressions all hold).</summary>
    private static bool TopologyAllows(V1StorageClass storageClass, V1Node node)
    {
        var terms = storageClass.AllowedTopologies ?? [];
        if (terms.Count == 0) return true;
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        return terms.Any(t => (t.MatchLabelExpressions ?? []).All(e => labels.TryGetValue(e.Key, out var v) && (e.Values ?? []).Contains(v)));
    }

    private string? ClaimProblem(V1Pod pod, string claimName, V1PersistentVolumeClaim? claim, bool ephemeral)
    {
        if (claim is null)
        {
            // A generic ephemeral volume's claim normally appears right after its pod.
            return ephemeral
                ? $"waiting for ephemeral volume controller to create the persistentvolumeclaim \"{claimName}\""
                : $"persistentvolumeclaim \"{claimName}\" not found";
        }
        if (claim.Status?.Phase == "Lost")
            return $"persistentvolumeclaim \"{claimName}\" bound to non-existent persistentvolume \"{claim.Spec.VolumeName}\"";
        if (claim.Metadata.DeletionTimestamp is not null) return $"persistentvolumeclaim \"{claimName}\" is being deleted";
        if (ephemeral && claim.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == pod.Metadata.Uid) != true)
            return $"PVC {pod.Metadata.NamespaceProperty}/{claimName} was not created for pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} (pod is not owner)";
        return null;
    }

    /// <summary>Whether the claim's class waits for the first consumer (an unknown class binds at once).</summary>
    private bool IsDelayBinding(V1PersistentVolumeClaim claim)
    {
        var className = VolumeMatching.ClaimClass(claim);
        return className.Length > 0 && _classes.Get(null, className)?.VolumeBindingMode == "WaitForFirstConsumer";
    }

    /// <summary>The volume with its claimRef naming the claim (and marked bound by the controller unless pre-bound to it).</summary>
    private static V1PersistentVolume BindVolumeToClaim(V1PersistentVolume volume, V1PersistentVolumeClaim claim)
    {
        var bound = ObjectCopy.DeepCopy(volume);
        if (!VolumeMatching.IsBoundToClaim(volume, claim))
        {
            bound.Metadata.Annotations ??= new Dictionary<string, string>();
            bound.Metadata.Annotations[VolumeAnnotations.BoundByController] = "yes";
        }
        bound.Spec.ClaimRef = new V1ObjectReference
        {
            Kind = "PersistentVolumeClaim", ApiVersion = "v1", NamespaceProperty = claim.Metadata.NamespaceProperty, Name = claim.Metadata.Name,
            Uid = claim.Metadata.Uid, ResourceVersion = claim.Metadata.ResourceVersion,
        };
        return bound;
    }

    private static V1PersistentVolumeClaim WithSelectedNode(V1PersistentVolumeClaim claim, string node)
    {
        var placed = ObjectCopy.DeepCopy(claim);
        placed.Metadata.Annotations ??= new Dictionary<string, string>();
        placed.Metadata.Annotations[VolumeAnnotations.SelectedNode] = node;
        return placed;
    }
}
