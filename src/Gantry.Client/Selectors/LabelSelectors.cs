using k8s.Models;

namespace Gantry.Client.Selectors;

/// <summary>metav1.LabelSelector evaluation on typed models, shared by every controller.</summary>
public static class LabelSelectors
{
    /// <summary>Whether a selector has no requirement at all.</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is null || (selector.MatchLabels is not { Count: > 0 } && selector.MatchExpressions is not { Count: > 0 });

    /// <summary>Kubernetes' LabelSelectorAsSelector semantics: a null selector matches nothing, an empty one everything.</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null) return false;
        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
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

    /// <summary>
    /// Matching for controllers that own what they select: an empty selector selects nothing, so a workload with a
    /// missing selector never adopts every pod of its namespace.
    /// </summary>
    public static bool MatchesNonEmpty(V1LabelSelector? selector, IDictionary<string, string>? labels) =>
        !IsEmpty(selector) && Matches(selector, labels);

    /// <summary>The selector as kubectl writes it (app=web,tier in (a,b)).</summary>
    public static string Format(V1LabelSelector? selector)
    {
        if (selector is null) return "<none>";
        var parts = (selector.MatchLabels ?? new Dictionary<string, string>()).Select(p => $"{p.Key}={p.Value}").ToList();
        foreach (var r in selector.MatchExpressions ?? [])
        {
            parts.Add(r.OperatorProperty switch
            {
                "In" => $"{r.Key} in ({string.Join(",", r.Values ?? [])})",
                "NotIn" => $"{r.Key} notin ({string.Join(",", r.Values ?? [])})",
                "DoesNotExist" => "!" + r.Key,
                _ => r.Key,
            });
        }
        return parts.Count == 0 ? "<everything>" : string.Join(",", parts);
    }
}
