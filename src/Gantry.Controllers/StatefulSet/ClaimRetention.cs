using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.StatefulSet;

/// <summary>
/// persistentVolumeClaimRetentionPolicy as owner references on claims: whenDeleted=Delete makes the set own the claim,
/// whenScaled=Delete makes a scaled-down pod own it, so the garbage collector removes the claim with its owner.
/// Retain (the default) leaves claims unowned, so they outlive pods and the set.
/// </summary>
internal static class ClaimRetention
{
    /// <summary>Whether the claim's owners already fit the policy (a claim controlled by someone else is left alone).</summary>
    public static bool IsUpToDate(V1PersistentVolumeClaim claim, V1StatefulSet set, V1Pod pod)
    {
        if (HasForeignController(claim, set, pod)) return !HasRef(claim, set.Metadata.Uid) && !HasRef(claim, pod.Metadata.Uid);
        var (wantSet, wantPod) = Wanted(set, pod);
        return HasRef(claim, set.Metadata.Uid) == wantSet && HasRef(claim, pod.Metadata.Uid) == wantPod;
    }

    /// <summary>The claim's owner references with the set's and pod's set as the policy asks.</summary>
    public static List<V1OwnerReference> Owners(V1PersistentVolumeClaim claim, V1StatefulSet set, V1Pod pod)
    {
        var foreign = HasForeignController(claim, set, pod);
        var refs = (claim.Metadata.OwnerReferences ?? [])
            .Where(r => !IsRefTo(r, "StatefulSet", set.Metadata.Name, set.Metadata.Uid) && !IsRefTo(r, "Pod", pod.Metadata.Name, pod.Metadata.Uid))
            .ToList();
        if (foreign) return refs;
        var (wantSet, wantPod) = Wanted(set, pod);
        if (wantSet) refs.Add(OwnerReferences.ControllerRef(set, "apps/v1", "StatefulSet"));
        if (wantPod) refs.Add(OwnerReferences.ControllerRef(pod, "v1", "Pod"));
        return refs;
    }

    private static (bool Set, bool Pod) Wanted(V1StatefulSet set, V1Pod pod)
    {
        var policy = set.Spec.PersistentVolumeClaimRetentionPolicy;
        var deleteWithSet = policy?.WhenDeleted == "Delete";
        var deleteWhenScaled = policy?.WhenScaled == "Delete";
        var scaledDown = !StatefulSetPods.InOrdinalRange(set, pod);
        return (deleteWhenScaled && scaledDown ? false : deleteWithSet, deleteWhenScaled && scaledDown);
    }

    private static bool HasRef(V1PersistentVolumeClaim claim, string uid) => claim.Metadata.OwnerReferences?.Any(r => r.Uid == uid) == true;

    private static bool IsRefTo(V1OwnerReference reference, string kind, string name, string uid) =>
        reference.Uid == uid || reference.Kind == kind && reference.Name == name;

    private static bool HasForeignController(V1PersistentVolumeClaim claim, V1StatefulSet set, V1Pod pod) =>
        claim.Metadata.OwnerReferences?.Any(r => r.Controller == true && r.Uid != set.Metadata.Uid && r.Uid != pod.Metadata.Uid &&
            !(r.Kind == "StatefulSet" && r.Name == set.Metadata.Name) && !(r.Kind == "Pod" && r.Name == pod.Metadata.Name)) == true;
}
