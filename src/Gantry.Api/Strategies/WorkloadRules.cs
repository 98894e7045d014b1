using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>Checks shared by the apps/v1 and batch workloads: selectors against templates, counts, int-or-percent values.</summary>
internal static class WorkloadRules
{
    /// <summary>A non-negative integer field (ValidateNonnegativeField); absent is fine.</summary>
    public static void NonNegative(JsonObject? obj, string field, string path, List<FieldError> errors)
    {
        if (JsonRead.Long(obj, field) is < 0 and var value) errors.Add(FieldError.Invalid(path, value, "must be greater than or equal to 0"));
    }

    /// <summary>
    /// The apps/v1 selector (required, valid, not empty) and the template it must select, at <c>spec.selector</c>
    /// and <c>spec.template</c>.
    /// </summary>
    public static void SelectorAndTemplate(JsonObject? spec, string ownerWord, List<FieldError> errors)
    {
        var selector = JsonRead.Obj(spec, "selector");
        if (selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            SelectorRules.Validate(selector, "spec.selector", errors);
            if (SelectorRules.IsEmpty(selector))
                errors.Add(FieldError.InvalidRaw("spec.selector", GoValue.LabelSelector(selector), $"empty selector is invalid for {ownerWord}"));
        }
        // A missing selector selects nothing, so Kubernetes also reports the template labels as unmatched.
        Func<JsonObject?, bool>? matches = selector is null ? _ => false
            : SelectorRules.IsEmpty(selector) ? null
            : labels => SelectorRules.Matches(selector, labels);
        PodSpecRules.ValidateTemplate(JsonRead.Obj(spec, "template"), matches, "spec.template", errors);
    }

    /// <summary>The selector may not change after creation (apps/v1).</summary>
    public static void ImmutableSelector(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        var selector = JsonRead.Obj(JsonRead.Obj(obj, "spec"), "selector");
        var oldSelector = JsonRead.Obj(JsonRead.Obj(old, "spec"), "selector");
        if (!JsonSemantics.Equal(selector, oldSelector))
            errors.Add(FieldError.InvalidRaw("spec.selector", GoValue.LabelSelector(selector), "field is immutable"));
    }

    /// <summary>
    /// An int-or-percent (maxSurge, maxUnavailable): a non-negative number or "N%" up to 100%. Returns whether it is zero.
    /// </summary>
    public static bool IntOrPercent(JsonNode? value, string path, List<FieldError> errors)
    {
        if (JsonRead.AsString(value) is { } text)
        {
            if (!text.EndsWith('%') || text.Length < 2 || !text[..^1].All(char.IsAsciiDigit))
            {
                errors.Add(FieldError.InvalidRaw(path, text, "must be an integer or percentage (e.g '5%')"));
                return false;
            }
            var percent = long.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (percent > 100) errors.Add(FieldError.InvalidRaw(path, text, "must not be greater than 100%"));
            return percent == 0;
        }
        var number = JsonRead.AsLong(value) ?? 0;
        if (number < 0) errors.Add(FieldError.Invalid(path, number, "must be greater than or equal to 0"));
        return number == 0;
    }

    /// <summary>How an int-or-percent prints in messages (IntOrString's String(): no quotes).</summary>
    public static string Render(JsonNode? value) => JsonRead.AsString(value) ?? (JsonRead.AsLong(value) ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Copies template labels to the object's labels when it has none (ReplicationController and Job defaulting).</summary>
    public static void DefaultLabelsFromTemplate(JsonObject obj, JsonObject? template)
    {
        if (JsonRead.Obj(JsonRead.Obj(template, "metadata"), "labels") is not { } labels) return;
        var meta = JsonRead.Child(obj, "metadata");
        if (JsonRead.Obj(meta, "labels") is { Count: > 0 }) return;
        meta["labels"] = labels.DeepClone();
    }
}
