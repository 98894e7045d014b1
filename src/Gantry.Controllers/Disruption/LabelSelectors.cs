using k8s.Models;

namespace Gantry.Controllers.Disruption;

/// <summary>metav1.LabelSelector matching on typed models: a null selector matches nothing, an empty one everything.</summary>
internal static class LabelSelectors
{
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
