using k8s.Models;

namespace Gantry.Controllers.History;

/// <summary>Evaluates a metav1 LabelSelector (matchLabels and matchExpressions) against labels.</summary>
internal static class LabelSelectors
{
    /// <summary>Whether the selector is empty (Kubernetes treats an empty selector as selecting everything).</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is null || (selector.MatchLabels is not { Count: > 0 } && selector.MatchExpressions is not { Count: > 0 });

    /// <summary>Whether the labels satisfy every requirement of a non-empty selector; an empty selector matches nothing here.</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (IsEmpty(selector)) return false;
        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector!.MatchLabels ?? new Dictionary<string, string>())
            if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(requirement.Key, out var actual);
            var values = requirement.Values ?? [];
            var ok = requirement.OperatorProperty switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }
}
