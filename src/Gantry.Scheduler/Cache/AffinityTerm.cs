using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>
/// A pod (anti-)affinity term compiled for matching, as kube-scheduler's framework.AffinityTerm: the namespaces it
/// names (the owning pod's own when it names none and has no namespaceSelector), its label and namespace selectors and
/// its topology key.
/// </summary>
internal sealed class AffinityTerm
{
    private AffinityTerm(IReadOnlySet<string> namespaces, LabelMatcher selector, LabelMatcher namespaceSelector, string topologyKey)
    {
        Namespaces = namespaces;
        Selector = selector;
        NamespaceSelector = namespaceSelector;
        TopologyKey = topologyKey;
    }

    /// <summary>Namespaces the term applies to besides those <see cref="NamespaceSelector"/> selects.</summary>
    public IReadOnlySet<string> Namespaces { get; }

    /// <summary>The pods the term selects (labelSelector ANDed with matchLabelKeys / mismatchLabelKeys).</summary>
    public LabelMatcher Selector { get; }

    /// <summary>The namespaces the term selects by their labels.</summary>
    public LabelMatcher NamespaceSelector { get; }

    /// <summary>The node label whose value defines the topology domain.</summary>
    public string TopologyKey { get; }

    /// <summary>Compiles <paramref name="term"/> of <paramref name="owner"/>.</summary>
    public static AffinityTerm Of(V1Pod owner, V1PodAffinityTerm term)
    {
        var ns = owner.Metadata.NamespaceProperty ?? "default";
        var namespaces = term.Namespaces is { Count: > 0 } || term.NamespaceSelector is not null
            ? new HashSet<string>(term.Namespaces ?? [], StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal) { ns };
        // matchLabelKeys / mismatchLabelKeys take their values from the owner's labels; keys it lacks are ignored.
        var labels = owner.Metadata.Labels ?? new Dictionary<string, string>();
        var selector = term.LabelSelector is null
            ? LabelMatcher.Nothing
            : LabelMatcher.From(term.LabelSelector, Resolve(term.MatchLabelKeys, labels), Resolve(term.MismatchLabelKeys, labels));
        return new AffinityTerm(namespaces, selector, LabelMatcher.From(term.NamespaceSelector), term.TopologyKey ?? "");
    }

    /// <summary>
    /// Whether <paramref name="pod"/> is selected: it lives in one of the term's namespaces (or in one whose labels,
    /// <paramref name="namespaceLabels"/>, the namespace selector matches) and its labels match the selector.
    /// </summary>
    public bool Matches(V1Pod pod, IDictionary<string, string>? namespaceLabels)
    {
        var inScope = Namespaces.Contains(pod.Metadata.NamespaceProperty ?? "default") || NamespaceSelector.Matches(namespaceLabels);
        return inScope && Selector.Matches(pod.Metadata.Labels);
    }

    /// <summary>
    /// kube-scheduler's mergeAffinityTermNamespacesIfNotEmpty for the incoming pod's terms: a non-empty namespace
    /// selector is replaced by the names of the namespaces it selects now, so matching needs no namespace labels.
    /// </summary>
    public AffinityTerm WithSelectedNamespaces(NamespaceIndex namespaces)
    {
        if (NamespaceSelector.IsEmpty) return this;
        var names = new HashSet<string>(Namespaces, StringComparer.Ordinal);
        names.UnionWith(namespaces.Selected(NamespaceSelector));
        return new AffinityTerm(names, Selector, LabelMatcher.Nothing, TopologyKey);
    }

    private static List<KeyValuePair<string, string>> Resolve(IList<string>? keys, IDictionary<string, string> labels) =>
        [.. (keys ?? []).Where(labels.ContainsKey).Select(k => KeyValuePair.Create(k, labels[k]))];
}
