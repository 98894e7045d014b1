using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>batch/v1 Jobs: completion defaults, the generated controller-uid selector, run-to-completion templates.</summary>
internal sealed class JobStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    internal const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    internal const string LegacyControllerUidLabel = "controller-uid";
    internal const string JobNameLabel = "batch.kubernetes.io/job-name";
    internal const string LegacyJobNameLabel = "job-name";

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        if (JsonRead.IsUnset(spec, "completions") && JsonRead.IsUnset(spec, "parallelism")) spec["completions"] = 1;
        JsonRead.Default(spec, "parallelism", 1);
        JsonRead.Default(spec, "backoffLimit", spec["backoffLimitPerIndex"] is null ? 6 : int.MaxValue);
        WorkloadRules.DefaultLabelsFromTemplate(obj, JsonRead.Obj(spec, "template"));
        JsonRead.DefaultString(spec, "completionMode", "NonIndexed");
        JsonRead.Default(spec, "suspend", false);
        foreach (var (_, rule) in JsonRead.Items(JsonRead.Arr(JsonRead.Obj(spec, "podFailurePolicy"), "rules")))
            foreach (var (_, condition) in JsonRead.Items(JsonRead.Arr(rule, "onPodConditions")))
                JsonRead.DefaultString(condition, "status", "True");
        JsonRead.DefaultString(spec, "podReplacementPolicy", spec["podFailurePolicy"] is null ? "TerminatingOrFailed" : "Failed");
        PodDefaults.ApplyTemplate(JsonRead.Obj(spec, "template"));
    }

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        var spec = JsonRead.Child(obj, "spec");
        if (JsonRead.Bool(spec, "manualSelector") == true) return;
        var meta = JsonRead.Obj(obj, "metadata");
        var name = JsonRead.Str(meta, "name") ?? "";
        var uid = JsonRead.Str(meta, "uid") ?? "";
        var labels = JsonRead.Child(JsonRead.Child(JsonRead.Child(spec, "template"), "metadata"), "labels");
        foreach (var (key, value) in new[] { (LegacyJobNameLabel, name), (JobNameLabel, name), (LegacyControllerUidLabel, uid), (ControllerUidLabel, uid) })
            if (!labels.ContainsKey(key)) labels[key] = value;
        var matchLabels = JsonRead.Child(JsonRead.Child(spec, "selector"), "matchLabels");
        if (!matchLabels.ContainsKey(ControllerUidLabel)) matchLabels[ControllerUidLabel] = uid;
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        if (JsonRead.Bool(spec, "manualSelector") != true)
        {
            var uid = JsonRead.Str(JsonRead.Obj(obj, "metadata"), "uid") ?? "";
            if (uid.Length == 0) errors.Add(FieldError.Required("metadata.uid"));
            var selector = JsonRead.Obj(spec, "selector");
            if (selector is not null && !SelectorRules.Matches(selector, new JsonObject { [ControllerUidLabel] = uid }))
                errors.Add(FieldError.InvalidRaw("spec.selector", GoValue.LabelSelector(selector), "`selector` not auto-generated"));
        }
        if (JsonRead.Obj(spec, "selector") is { } jobSelector) SelectorRules.Validate(jobSelector, "spec.selector", errors);
        else errors.Add(FieldError.Required("spec.selector"));
        ValidateSpec(spec, "spec", requireSelectorMatch: true, errors);
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        var spec = JsonRead.Obj(obj, "spec");
        var oldSpec = JsonRead.Obj(old, "spec");
        Immutable(spec?["selector"], oldSpec?["selector"], "spec.selector", n => GoValue.LabelSelector(n as JsonObject), errors);
        Immutable(spec?["template"], oldSpec?["template"], "spec.template", GoValue.Json, errors);
        Immutable(JsonRead.Str(spec, "completionMode"), JsonRead.Str(oldSpec, "completionMode"), "spec.completionMode", errors);
        if (JsonRead.Str(spec, "completionMode") != "Indexed" && JsonRead.Long(spec, "completions") != JsonRead.Long(oldSpec, "completions"))
            errors.Add(FieldError.InvalidRaw("spec.completions", JsonRead.Long(spec, "completions")?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null", "field is immutable"));
    }

    /// <summary>validateJobSpec: counts, completion mode, the template and its restart policy (shared with CronJob templates).</summary>
    internal static void ValidateSpec(JsonObject? spec, string path, bool requireSelectorMatch, List<FieldError> errors)
    {
        foreach (var field in new[] { "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished" })
            WorkloadRules.NonNegative(spec, field, $"{path}.{field}", errors);
        var template = JsonRead.Obj(spec, "template");
        if (requireSelectorMatch && JsonRead.Obj(spec, "selector") is { } selector)
        {
            var labels = JsonRead.Obj(JsonRead.Obj(template, "metadata"), "labels");
            if (!SelectorRules.Matches(selector, labels))
                errors.Add(FieldError.InvalidRaw(path + ".template.metadata.labels", GoValue.StringMap(labels), "`selector` does not match template `labels`"));
        }
        var mode = JsonRead.Str(spec, "completionMode");
        if (mode is not null && mode is not ("NonIndexed" or "Indexed"))
            errors.Add(FieldError.NotSupported(path + ".completionMode", mode, ["NonIndexed", "Indexed"]));
        if (mode == "Indexed" && JsonRead.Long(spec, "completions") is null)
            errors.Add(FieldError.Required(path + ".completions", "when completion mode is Indexed"));
        if (JsonRead.Str(spec, "podReplacementPolicy") is { } replacement && replacement is not ("TerminatingOrFailed" or "Failed"))
            errors.Add(FieldError.NotSupported(path + ".podReplacementPolicy", replacement, ["Failed", "TerminatingOrFailed"]));
        PodSpecRules.ValidateTemplate(template, null, path + ".template", errors);
        var policy = JsonRead.Str(JsonRead.Obj(template, "spec"), "restartPolicy") ?? "";
        if (policy is not ("OnFailure" or "Never"))
            errors.Add(FieldError.NotSupported(path + ".template.spec.restartPolicy", policy, ["OnFailure", "Never"]));
    }
}
