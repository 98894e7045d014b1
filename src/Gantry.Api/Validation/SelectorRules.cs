using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Validation;

/// <summary>metav1.LabelSelector checks: validation of its parts and matching against a label set.</summary>
public static class SelectorRules
{
    /// <summary>Validates matchLabels and matchExpressions (ValidateLabelSelector).</summary>
    public static void Validate(JsonObject selector, string path, List<FieldError> errors)
    {
        MetadataRules.ValidateLabels(JsonRead.Obj(selector, "matchLabels"), path + ".matchLabels", errors);
        foreach (var (i, requirement) in JsonRead.Items(JsonRead.Arr(selector, "matchExpressions")))
        {
            var at = $"{path}.matchExpressions[{i}]";
            var op = JsonRead.Str(requirement, "operator") ?? "";
            var valueCount = JsonRead.Arr(requirement, "values")?.Count ?? 0;
            switch (op)
            {
                case "In" or "NotIn":
                    if (valueCount == 0) errors.Add(FieldError.Required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    foreach (var (j, value) in JsonRead.Strings(JsonRead.Arr(requirement, "values")))
                        foreach (var message in NameFormats.LabelValue(value)) errors.Add(FieldError.Invalid($"{at}.values[{j}]", value, message));
                    break;
                case "Exists" or "DoesNotExist":
                    if (valueCount > 0) errors.Add(FieldError.Forbidden(at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    break;
                default:
                    errors.Add(FieldError.Invalid(at + ".operator", op, "not a valid selector operator"));
                    break;
            }
            var key = JsonRead.Str(requirement, "key") ?? "";
            foreach (var message in NameFormats.QualifiedName(key)) errors.Add(FieldError.Invalid(at + ".key", key, message));
        }
    }

    /// <summary>True when the selector selects nothing in particular (no labels and no expressions).</summary>
    public static bool IsEmpty(JsonObject? selector) =>
        (JsonRead.Obj(selector, "matchLabels")?.Count ?? 0) + (JsonRead.Arr(selector, "matchExpressions")?.Count ?? 0) == 0;

    /// <summary>Whether the labels satisfy every matchLabels entry and every matchExpressions requirement.</summary>
    public static bool Matches(JsonObject? selector, JsonObject? labels)
    {
        foreach (var (key, value) in JsonRead.StringMap(JsonRead.Obj(selector, "matchLabels")))
            if (JsonRead.Str(labels, key) != value) return false;
        foreach (var (_, requirement) in JsonRead.Items(JsonRead.Arr(selector, "matchExpressions")))
        {
            var key = JsonRead.Str(requirement, "key") ?? "";
            var values = JsonRead.Strings(JsonRead.Arr(requirement, "values")).Select(v => v.Value).ToHashSet(StringComparer.Ordinal);
            var has = labels is not null && labels.ContainsKey(key);
            var actual = JsonRead.Str(labels, key);
            var ok = JsonRead.Str(requirement, "operator") switch
            {
                "In" => has && actual is not null && values.Contains(actual),
                "NotIn" => !has || actual is null || !values.Contains(actual),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>Whether every label of a plain map selector (ReplicationController, Service) is present with its value.</summary>
    public static bool MatchesMap(JsonObject? selector, JsonObject? labels) =>
        JsonRead.StringMap(selector).All(e => JsonRead.Str(labels, e.Key) == e.Value);
}
