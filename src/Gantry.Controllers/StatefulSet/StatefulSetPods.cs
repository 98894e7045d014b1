using System.Globalization;
using System.Text.RegularExpressions;
using Gantry.Client;
using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.StatefulSet;

/// <summary>Identity, storage and revision of a StatefulSet's pods (Kubernetes' stateful_set_utils).</summary>
internal static partial class StatefulSetPods
{
    /// <summary>Label with the pod's own name, so a service can select one replica.</summary>
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";

    /// <summary>Label with the pod's ordinal.</summary>
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    [GeneratedRegex("^(.*)-([0-9]+)$")]
    private static partial Regex OrdinalPattern();

    /// <summary>The parent name and ordinal in a pod name (<c>web-3</c> -> web, 3); ordinal -1 when there is none.</summary>
    public static (string Parent, int Ordinal) ParentAndOrdinal(string name)
    {
        var match = OrdinalPattern().Match(name);
        if (!match.Success) return ("", -1);
        return int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            ? (match.Groups[1].Value, ordinal)
            : (match.Groups[1].Value, -1);
    }

    /// <summary>The pod's ordinal, or -1.</summary>
    public static int Ordinal(V1Pod pod) => ParentAndOrdinal(pod.Metadata.Name).Ordinal;

    /// <summary>Whether the pod's name makes it a member of the set.</summary>
    public static bool IsMemberOf(V1StatefulSet set, V1Pod pod) => ParentAndOrdinal(pod.Metadata.Name).Parent == set.Metadata.Name;

    /// <summary>The first ordinal (spec.ordinals.start, default 0).</summary>
    public static int StartOrdinal(V1StatefulSet set) => set.Spec.Ordinals?.Start ?? 0;

    /// <summary>The last ordinal of the wanted replicas.</summary>
    public static int EndOrdinal(V1StatefulSet set) => StartOrdinal(set) + (set.Spec.Replicas ?? 1) - 1;

    /// <summary>Whether the pod's ordinal is among the wanted replicas.</summary>
    public static bool InOrdinalRange(V1StatefulSet set, V1Pod pod)
    {
        var ordinal = Ordinal(pod);
        return ordinal >= StartOrdinal(set) && ordinal <= EndOrdinal(set);
    }

    /// <summary>The pod name of an ordinal.</summary>
    public static string PodName(V1StatefulSet set, int ordinal) => $"{set.Metadata.Name}-{ordinal}";

    /// <summary>The claim name of a volume claim template for an ordinal: <c>template-set-ordinal</c>.</summary>
    public static string ClaimName(V1StatefulSet set, V1PersistentVolumeClaim template, int ordinal) =>
        $"{template.Metadata.Name}-{set.Metadata.Name}-{ordinal}";

    /// <summary>The revision a pod was made from (its controller-revision-hash label).</summary>
    public static string Revision(V1Pod pod) => Label(pod, ControllerRevisionData.RevisionLabel) ?? "";

    /// <summary>Whether the pod's name, namespace and identity labels fit the set.</summary>
    public static bool IdentityMatches(V1StatefulSet set, V1Pod pod)
    {
        var (parent, ordinal) = ParentAndOrdinal(pod.Metadata.Name);
        return ordinal >= 0 && parent == set.Metadata.Name && pod.Metadata.Name == PodName(set, ordinal) &&
            pod.Metadata.NamespaceProperty == set.Metadata.NamespaceProperty &&
            Label(pod, PodNameLabel) == pod.Metadata.Name &&
            Label(pod, PodIndexLabel) == ordinal.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the pod mounts every claim of the set's volume claim templates.</summary>
    public static bool StorageMatches(V1StatefulSet set, V1Pod pod)
    {
        var ordinal = Ordinal(pod);
        if (ordinal < 0) return false;
        var volumes = (pod.Spec.Volumes ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var template in set.Spec.VolumeClaimTemplates ?? [])
        {
            if (!volumes.TryGetValue(template.Metadata.Name, out var volume) ||
                volume.PersistentVolumeClaim?.ClaimName != ClaimName(set, template, ordinal))
                return false;
        }
        return true;
    }

    /// <summary>The claims a pod needs, by template name: the templates renamed, with the set's selector labels.</summary>
    public static IReadOnlyList<(string Template, V1PersistentVolumeClaim Claim)> Claims(V1StatefulSet set, V1Pod pod)
    {
        var ordinal = Ordinal(pod);
        var result = new List<(string, V1PersistentVolumeClaim)>();
        foreach (var template in set.Spec.VolumeClaimTemplates ?? [])
        {
            var claim = ObjectCopy.DeepCopy(template);
            claim.ApiVersion = "v1";
            claim.Kind = "PersistentVolumeClaim";
            claim.Status = null;
            claim.Metadata.Name = ClaimName(set, template, ordinal);
            claim.Metadata.NamespaceProperty = set.Metadata.NamespaceProperty;
            claim.Metadata.Labels ??= new Dictionary<string, string>();
            foreach (var (key, value) in set.Spec.Selector?.MatchLabels ?? new Dictionary<string, string>()) claim.Metadata.Labels[key] = value;
            result.Add((template.Metadata.Name, claim));
        }
        return result;
    }

    /// <summary>Points the pod's claim volumes at the set's claims, keeping its other volumes.</summary>
    public static void UpdateStorage(V1StatefulSet set, V1Pod pod)
    {
        var claims = Claims(set, pod);
        var names = claims.Select(c => c.Template).ToHashSet(StringComparer.Ordinal);
        var volumes = claims.Select(c => new V1Volume
        {
            Name = c.Template,
            PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = c.Claim.Metadata.Name },
        }).ToList();
        volumes.AddRange((pod.Spec.Volumes ?? []).Where(v => !names.Contains(v.Name)));
        pod.Spec.Volumes = volumes;
    }

    /// <summary>Sets the pod's name, namespace and identity labels for its ordinal.</summary>
    public static void UpdateIdentity(V1StatefulSet set, V1Pod pod)
    {
        var ordinal = Ordinal(pod);
        pod.Metadata.Name = PodName(set, ordinal);
        pod.Metadata.NamespaceProperty = set.Metadata.NamespaceProperty;
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        pod.Metadata.Labels[PodNameLabel] = pod.Metadata.Name;
        pod.Metadata.Labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A new pod of the set at an ordinal, made from the set's template and labelled with <paramref name="revision"/>.</summary>
    public static V1Pod NewPod(V1StatefulSet set, int ordinal, string revision)
    {
        var template = set.Spec.Template;
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = PodName(set, ordinal),
                Labels = template.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
                Annotations = template.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : null,
                Finalizers = template.Metadata?.Finalizers is { } finalizers ? [.. finalizers] : null,
                OwnerReferences = [OwnerReferences.ControllerRef(set, "apps/v1", "StatefulSet")],
            },
            Spec = ObjectCopy.DeepCopy(template.Spec),
        };
        UpdateIdentity(set, pod);
        // Hostname and subdomain are immutable, so only a new pod gets them.
        pod.Spec.Hostname = pod.Metadata.Name;
        pod.Spec.Subdomain = string.IsNullOrEmpty(set.Spec.ServiceName) ? null : set.Spec.ServiceName;
        UpdateStorage(set, pod);
        pod.Metadata.Labels[ControllerRevisionData.RevisionLabel] = revision;
        return pod;
    }

    /// <summary>
    /// A new pod at an ordinal from the current revision when the rolling update has not reached that ordinal (below the
    /// partition), otherwise from the update revision (Kubernetes' newVersionedStatefulSetPod).
    /// </summary>
    public static V1Pod NewVersionedPod(V1StatefulSet currentSet, V1StatefulSet updateSet, string currentRevision, string updateRevision, int ordinal)
    {
        var strategy = currentSet.Spec.UpdateStrategy;
        var rolling = strategy?.Type is null or "RollingUpdate";
        var useCurrent = rolling && strategy?.RollingUpdate is null && ordinal < StartOrdinal(currentSet) + (currentSet.Status?.CurrentReplicas ?? 0)
            || strategy?.RollingUpdate is { } update && ordinal < StartOrdinal(currentSet) + (update.Partition ?? 0);
        return useCurrent ? NewPod(currentSet, ordinal, currentRevision) : NewPod(updateSet, ordinal, updateRevision);
    }

    /// <summary>The set with its template replaced by the one a revision records (Kubernetes' ApplyRevision).</summary>
    public static V1StatefulSet ApplyRevision(V1StatefulSet set, V1ControllerRevision revision)
    {
        var clone = ObjectCopy.DeepCopy(set);
        if (ControllerRevisionData.Template(revision.Data) is { } template) clone.Spec.Template = template;
        return clone;
    }

    /// <summary>Whether the pod is Running with a True Ready condition.</summary>
    public static bool IsRunningAndReady(V1Pod pod) => pod.Status?.Phase == "Running" && PodHealth.IsReady(pod);

    /// <summary>A label of the pod, or null.</summary>
    public static string? Label(V1Pod pod, string key) => pod.Metadata.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>Whether the pod is being deleted.</summary>
    public static bool IsTerminating(V1Pod pod) => pod.Metadata.DeletionTimestamp is not null;
}
