using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>A pod's inter-pod affinity and anti-affinity terms, compiled once when the pod enters the cache.</summary>
internal sealed class PodAffinityTerms
{
    private PodAffinityTerms(V1Pod pod, V1Affinity affinity)
    {
        RequiredAffinity = [.. (affinity.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? []).Select(t => AffinityTerm.Of(pod, t))];
        RequiredAntiAffinity = [.. (affinity.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? []).Select(t => AffinityTerm.Of(pod, t))];
        PreferredAffinity = Weighted(pod, affinity.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);
        PreferredAntiAffinity = Weighted(pod, affinity.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);
    }

    private PodAffinityTerms(AffinityTerm[] requiredAffinity, AffinityTerm[] requiredAntiAffinity,
        WeightedAffinityTerm[] preferredAffinity, WeightedAffinityTerm[] preferredAntiAffinity)
    {
        RequiredAffinity = requiredAffinity;
        RequiredAntiAffinity = requiredAntiAffinity;
        PreferredAffinity = preferredAffinity;
        PreferredAntiAffinity = preferredAntiAffinity;
    }

    /// <summary>requiredDuringSchedulingIgnoredDuringExecution of podAffinity.</summary>
    public AffinityTerm[] RequiredAffinity { get; }

    /// <summary>requiredDuringSchedulingIgnoredDuringExecution of podAntiAffinity.</summary>
    public AffinityTerm[] RequiredAntiAffinity { get; }

    /// <summary>preferredDuringSchedulingIgnoredDuringExecution of podAffinity.</summary>
    public WeightedAffinityTerm[] PreferredAffinity { get; }

    /// <summary>preferredDuringSchedulingIgnoredDuringExecution of podAntiAffinity.</summary>
    public WeightedAffinityTerm[] PreferredAntiAffinity { get; }

    /// <summary>The compiled terms, or null when the pod has neither pod affinity nor pod anti-affinity.</summary>
    public static PodAffinityTerms? Of(V1Pod pod)
    {
        var affinity = pod.Spec?.Affinity;
        return affinity?.PodAffinity is null && affinity?.PodAntiAffinity is null ? null : new PodAffinityTerms(pod, affinity);
    }

    /// <summary>The same terms with their namespace selectors resolved to namespace names (for the incoming pod).</summary>
    public PodAffinityTerms WithSelectedNamespaces(NamespaceIndex namespaces) => new(
        [.. RequiredAffinity.Select(t => t.WithSelectedNamespaces(namespaces))],
        [.. RequiredAntiAffinity.Select(t => t.WithSelectedNamespaces(namespaces))],
        [.. PreferredAffinity.Select(t => t with { Term = t.Term.WithSelectedNamespaces(namespaces) })],
        [.. PreferredAntiAffinity.Select(t => t with { Term = t.Term.WithSelectedNamespaces(namespaces) })]);

    private static WeightedAffinityTerm[] Weighted(V1Pod pod, IList<V1WeightedPodAffinityTerm>? terms) =>
        [.. (terms ?? []).Where(t => t.PodAffinityTerm is not null).Select(t => new WeightedAffinityTerm(AffinityTerm.Of(pod, t.PodAffinityTerm), t.Weight))];
}
