using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Api.Selectors;

/// <summary>One condition of a label selector: a key, an operator and (for some operators) values.</summary>
public sealed class LabelRequirement
{
    private LabelRequirement(string key, LabelOperator op, IReadOnlyList<string> values)
    {
        Key = key;
        Operator = op;
        Values = values;
    }

    /// <summary>The label key.</summary>
    public string Key { get; }

    /// <summary>The operator.</summary>
    public LabelOperator Operator { get; }

    /// <summary>The values, in the order given (empty for Exists and DoesNotExist).</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>
    /// Builds a requirement, validating it like labels.NewRequirement; returns the Go-rendered errors instead of throwing.
    /// <paramref name="values"/> null stands for a nil slice (it only changes how an error prints the value).
    /// </summary>
    internal static LabelRequirement Create(string key, LabelOperator op, IReadOnlyList<string>? values, List<string> errors)
    {
        var keyErrors = LabelValidation.KeyErrors(key);
        if (keyErrors.Count > 0) errors.Add(LabelValidation.Invalid("key", LabelValidation.Quote(key), string.Join("; ", keyErrors)));
        var vals = values ?? [];
        var rendered = LabelValidation.QuoteSlice(values);
        switch (op)
        {
            case LabelOperator.In or LabelOperator.NotIn when vals.Count == 0:
                errors.Add(LabelValidation.Invalid("values", rendered, "for 'in', 'notin' operators, values set can't be empty"));
                break;
            case LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.NotEquals when vals.Count != 1:
                errors.Add(LabelValidation.Invalid("values", rendered, "exact-match compatibility requires one single value"));
                break;
            case LabelOperator.Exists or LabelOperator.DoesNotExist when vals.Count != 0:
                errors.Add(LabelValidation.Invalid("values", rendered, "values set must be empty for exists and does not exist"));
                break;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (vals.Count != 1)
                    errors.Add(LabelValidation.Invalid("values", rendered, "for 'Gt', 'Lt' operators, exactly one value is required"));
                for (var i = 0; i < vals.Count; i++)
                    if (!long.TryParse(vals[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                        errors.Add(LabelValidation.Invalid($"values[{i}]", LabelValidation.Quote(vals[i]), "for 'Gt', 'Lt' operators, the value must be an integer"));
                break;
        }
        for (var i = 0; i < vals.Count; i++)
        {
            var valueErrors = LabelValidation.ValueErrors(vals[i]);
            if (valueErrors.Count > 0)
                errors.Add(LabelValidation.Invalid($"values[{i}][{key}]", LabelValidation.Quote(vals[i]), string.Join("; ", valueErrors)));
        }
        return new LabelRequirement(key, op, vals.ToArray());
    }

    /// <summary>Whether a label set satisfies this requirement (Requirement.Matches).</summary>
    public bool Matches(JsonObject? labels)
    {
        var value = labels is not null && labels.TryGetPropertyValue(Key, out var node) ? LabelText(node) : null;
        switch (Operator)
        {
            case LabelOperator.In or LabelOperator.Equals or LabelOperator.DoubleEquals:
                return value is not null && Values.Contains(value);
            case LabelOperator.NotIn or LabelOperator.NotEquals:
                return value is null || !Values.Contains(value);
            case LabelOperator.Exists:
                return value is not null;
            case LabelOperator.DoesNotExist:
                return value is null;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (value is null || Values.Count != 1 ||
                    !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual) ||
                    !long.TryParse(Values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                    return false;
                return Operator == LabelOperator.GreaterThan ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    /// <summary>The canonical text, e.g. <c>app in (a,b)</c> or <c>!tier</c>; several values print sorted.</summary>
    public override string ToString()
    {
        var b = new StringBuilder();
        if (Operator == LabelOperator.DoesNotExist) b.Append('!');
        b.Append(Key);
        switch (Operator)
        {
            case LabelOperator.Exists or LabelOperator.DoesNotExist: return b.ToString();
            case LabelOperator.Equals: b.Append('='); break;
            case LabelOperator.DoubleEquals: b.Append("=="); break;
            case LabelOperator.NotEquals: b.Append("!="); break;
            case LabelOperator.In: b.Append(" in "); break;
            case LabelOperator.NotIn: b.Append(" notin "); break;
            case LabelOperator.GreaterThan: b.Append('>'); break;
            case LabelOperator.LessThan: b.Append('<'); break;
        }
        var set = Operator is LabelOperator.In or LabelOperator.NotIn;
        if (set) b.Append('(');
        b.Append(Values.Count == 1 ? Values[0] : string.Join(",", Values.Order(StringComparer.Ordinal)));
        if (set) b.Append(')');
        return b.ToString();
    }

    // A label value is a string; anything else (a hand-written object) is read as its JSON text rather than dropped.
    private static string? LabelText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
