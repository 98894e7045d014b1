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
    /// The apps/v1 selector (valid, not empty; required unless <paramref name="requireSelector"/> is false, as for
    /// DaemonSets) and the template it must select, at <c>spec.selector</c> and <c>spec.template</c>.
    /// </summary>
    /// <param name="spec">The workload spec.</param>
    /// <param name="ownerWord">The word in "empty selector is invalid for ...".</param>
    /// <param name="validatePodSpec">Whether the template's pod spec is validated (StatefulSets only check its metadata).</param>
    /// <param name="errors">Where errors are added.</param>
    /// <param name="requireSelector">Whether a missing selector is reported as Required.</param>
    public static void SelectorAndTemplate(JsonObject? spec, string ownerWord, bool validatePodSpec, List<FieldError> errors, bool requireSelector = true)
    {
        var selector = JsonRead.Obj(spec, "selector");
        if (selector is null)
        {
            if (requireSelector) errors.Add(FieldError.Required("spec.selector"));
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
        var template = JsonRead.Obj(spec, "template");
        if (validatePodSpec)
        {
            PodSpecRules.ValidateTemplate(template, matches, "spec.template", errors);
            return;
        }
        var labels = JsonRead.Obj(JsonRead.Obj(template, "metadata"), "labels");
        if (matches is not null && !matches(labels))
            errors.Add(FieldError.InvalidRaw("spec.template.metadata.labels", GoValue.StringMap(labels), "`selector` does not match template `labels`"));
        if (template is not null) PodSpecRules.ValidateTemplateMetadata(template, "spec.template", errors);
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
    /// An int-or-percent (maxSurge, maxUnavailable, minAvailable): a non-negative number or "N%" (ValidatePositiveIntOrPercent).
    /// </summary>
    public static void IntOrPercent(JsonNode? value, string path, List<FieldError> errors)
    {
        if (JsonRead.AsString(value) is { } text)
        {
            if (Percent(text) is null)
                errors.Add(FieldError.InvalidRaw(path, text,
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
            return;
        }
        if (JsonRead.AsLong(value) is < 0 and var number) errors.Add(FieldError.Invalid(path, number, "must be greater than or equal to 0"));
    }

    /// <summary>IsNotMoreThan100Percent: a percentage above 100% is invalid.</summary>
    public static void NotMoreThan100Percent(JsonNode? value, string path, List<FieldError> errors)
    {
        if (JsonRead.AsString(value) is { } text && Percent(text) > 100)
            errors.Add(FieldError.InvalidRaw(path, text, "must not be greater than 100%"));
    }

    /// <summary>The number of an int-or-percent (percent without its sign), 0 when unset or malformed.</summary>
    public static long Value(JsonNode? value) => JsonRead.AsString(value) is { } text ? Percent(text) ?? 0 : JsonRead.AsLong(value) ?? 0;

    private static long? Percent(string text) =>
        text.Length >= 2 && text.EndsWith('%') && text[..^1].All(char.IsAsciiDigit) && long.TryParse(text[..^1], out var percent) ? percent : null;

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
