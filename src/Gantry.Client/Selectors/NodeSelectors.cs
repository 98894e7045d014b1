using k8s.Models;

namespace Gantry.Client.Selectors;

/// <summary>Node selector terms (node affinity) evaluated against a node, shared by the scheduler and the DaemonSet controller.</summary>
public static class NodeSelectors
{
    /// <summary>
    /// Whether a node satisfies one term: every label expression, and every field expression (only metadata.name
    /// with In/NotIn exists). An empty term matches nothing, as in Kubernetes.
    /// </summary>
    public static bool TermMatches(V1NodeSelectorTerm term, V1Node node)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0) return false;
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        return expressions.All(e => RequirementMatches(e, labels.TryGetValue(e.Key, out var v) ? v : null))
            && fields.All(f => f.Key == "metadata.name" && f.OperatorProperty is "In" or "NotIn" && RequirementMatches(f, node.Metadata.Name));
    }

    /// <summary>One requirement against a value (null when the label is absent).</summary>
    public static bool RequirementMatches(V1NodeSelectorRequirement requirement, string? value)
    {
        var values = requirement.Values ?? [];
        return requirement.OperatorProperty switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => Compare(value, values) is > 0,
            "Lt" => Compare(value, values) is < 0,
            _ => false,
        };
    }

    /// <summary>Label value compared with the single integer of a Gt/Lt requirement; null when either is not an integer.</summary>
    private static int? Compare(string? value, IList<string> values) =>
        value is not null && values.Count == 1 && long.TryParse(value, out var actual) && long.TryParse(values[0], out var bound)
            ? actual.CompareTo(bound)
            : null;
}
