using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>
/// A metav1.LabelSelector compiled once for the matching hot loops of the affinity and spreading plugins, with
/// LabelSelectorAsSelector's semantics: a null selector matches nothing, an empty one everything.
/// </summary>
internal sealed class LabelMatcher
{
    private readonly Requirement[] _requirements;
    private readonly bool _nothing;

    private LabelMatcher(Requirement[] requirements, bool nothing)
    {
        _requirements = requirements;
        _nothing = nothing;
    }

    /// <summary>Matches no label set (a null selector).</summary>
    public static LabelMatcher Nothing { get; } = new([], nothing: true);

    /// <summary>Matches every label set (an empty selector).</summary>
    public static LabelMatcher Everything { get; } = new([], nothing: false);

    /// <summary>True for a selector without requirements (labels.Selector.Empty): it matches everything.</summary>
    public bool IsEmpty => !_nothing && _requirements.Length == 0;

    /// <summary>
    /// Compiles <paramref name="selector"/>, ANDed with "key in (value)" for each of <paramref name="sameAs"/> and "key
    /// notin (value)" for each of <paramref name="differentFrom"/> (matchLabelKeys / mismatchLabelKeys already resolved
    /// against the owning pod's labels).
    /// </summary>
    public static LabelMatcher From(V1LabelSelector? selector,
        IEnumerable<KeyValuePair<string, string>>? sameAs = null, IEnumerable<KeyValuePair<string, string>>? differentFrom = null)
    {
        if (selector is null) return Nothing;
        var requirements = new List<Requirement>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
            requirements.Add(new Requirement(key, Operator.In, [value]));
        foreach (var r in selector.MatchExpressions ?? [])
        {
            var op = r.OperatorProperty switch
            {
                "In" => Operator.In,
                "NotIn" => Operator.NotIn,
                "Exists" => Operator.Exists,
                "DoesNotExist" => Operator.DoesNotExist,
                // Validation rejects other operators; LabelSelectorAsSelector fails on them, which the plugins treat as
                // matching nothing.
                _ => (Operator?)null,
            };
            if (op is null) return Nothing;
            requirements.Add(new Requirement(r.Key, op.Value, [.. r.Values ?? []]));
        }
        foreach (var (key, value) in sameAs ?? []) requirements.Add(new Requirement(key, Operator.In, [value]));
        foreach (var (key, value) in differentFrom ?? []) requirements.Add(new Requirement(key, Operator.NotIn, [value]));
        return requirements.Count == 0 ? Everything : new LabelMatcher([.. requirements], nothing: false);
    }

    /// <summary>Whether <paramref name="labels"/> satisfy every requirement.</summary>
    public bool Matches(IDictionary<string, string>? labels)
    {
        if (_nothing) return false;
        foreach (var r in _requirements)
        {
            string? value = null;
            var has = labels is not null && labels.TryGetValue(r.Key, out value);
            var ok = r.Op switch
            {
                Operator.In => has && Array.IndexOf(r.Values, value) >= 0,
                Operator.NotIn => !has || Array.IndexOf(r.Values, value) < 0,
                Operator.Exists => has,
                _ => !has,
            };
            if (!ok) return false;
        }
        return true;
    }

    private enum Operator
    {
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Op, string[] Values);
}
