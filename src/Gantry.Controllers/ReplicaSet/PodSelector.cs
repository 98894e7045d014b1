using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// A label selector evaluated against pod labels, as metav1.LabelSelectorAsSelector builds it: matchLabels and
/// matchExpressions (In, NotIn, Exists, DoesNotExist) all have to hold; an empty selector matches everything.
/// </summary>
internal sealed class PodSelector
{
    private readonly List<Func<IDictionary<string, string>, bool>> _requirements;

    private PodSelector(List<Func<IDictionary<string, string>, bool>> requirements) => _requirements = requirements;

    /// <summary>True when the selector has no requirement (it selects every pod).</summary>
    public bool IsEmpty => _requirements.Count == 0;

    /// <summary>The selector of a ReplicaSet-style label selector; null when it cannot be evaluated (an unknown operator).</summary>
    public static PodSelector? From(V1LabelSelector? selector)
    {
        var requirements = new List<Func<IDictionary<string, string>, bool>>();
        if (selector is null) return new PodSelector(requirements);
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
            requirements.Add(labels => labels.TryGetValue(key, out var v) && v == value);
        foreach (var expression in selector.MatchExpressions ?? [])
        {
            var key = expression.Key;
            var values = new HashSet<string>(expression.Values ?? [], StringComparer.Ordinal);
            Func<IDictionary<string, string>, bool>? requirement = expression.OperatorProperty switch
            {
                "In" => labels => labels.TryGetValue(key, out var v) && values.Contains(v),
                "NotIn" => labels => !labels.TryGetValue(key, out var v) || !values.Contains(v),
                "Exists" => labels => labels.ContainsKey(key),
                "DoesNotExist" => labels => !labels.ContainsKey(key),
                _ => null,
            };
            if (requirement is null) return null;
            requirements.Add(requirement);
        }
        return new PodSelector(requirements);
    }

    /// <summary>The selector of a ReplicationController-style label map (every pair must match).</summary>
    public static PodSelector FromLabels(IDictionary<string, string>? labels) => From(new V1LabelSelector { MatchLabels = labels })!;

    /// <summary>Whether the labels satisfy every requirement.</summary>
    public bool Matches(IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        foreach (var requirement in _requirements)
        {
            if (!requirement(labels)) return false;
        }
        return true;
    }
}
