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

    protected override JsonObject? InitialStatus(JsonObject obj) => [];

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
        var name = JsonRead.Str(JsonRead.Obj(obj, "metadata"), "name") ?? "";
        if (JsonRead.Bool(spec, "manualSelector") != true)
        {
            var uid = JsonRead.Str(JsonRead.Obj(obj, "metadata"), "uid") ?? "";
            if (uid.Length == 0) errors.Add(FieldError.Required("metadata.uid"));
            var expected = new JsonObject { [ControllerUidLabel] = uid, [LegacyControllerUidLabel] = uid, [JobNameLabel] = name, [LegacyJobNameLabel] = name };
            if (JsonRead.Obj(spec, "selector") is { } generated && !SelectorRules.Matches(generated, expected))
                errors.Add(FieldError.InvalidRaw("spec.selector", GoValue.LabelSelector(generated), "`selector` not auto-generated"));
        }
        ValidateSpec(spec, "spec", errors);
        var selector = JsonRead.Obj(spec, "selector");
        if (selector is null) errors.Add(FieldError.Required("spec.selector"));
        else SelectorRules.Validate(selector, "spec.selector", errors);
        // Whether generated or manual, the selector must match the pods the job makes; a missing one matches nothing.
        var labels = JsonRead.Obj(JsonRead.Obj(JsonRead.Obj(spec, "template"), "metadata"), "labels");
        if (selector is null || !SelectorRules.Matches(selector, labels))
            errors.Add(FieldError.InvalidRaw("spec.template.metadata.labels", GoValue.StringMap(labels), "`selector` does not match template `labels`"));
        // Indexed pods are named <job>-<index> and use that as their hostname.
        if (JsonRead.Str(spec, "completionMode") == "Indexed" && JsonRead.Long(spec, "completions") is > 0 and var completions
            && NameFormats.Dns1123Label($"{name}-{completions - 1}").Count > 0)
            errors.Add(FieldError.Invalid("metadata.name", name, $"will not able to create pod with invalid DNS label: {name}-{completions - 1}"));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        var spec = JsonRead.Obj(obj, "spec");
        var oldSpec = JsonRead.Obj(old, "spec");
        // Elastic indexed jobs may scale completions together with parallelism.
        var elastic = JsonRead.Str(spec, "completionMode") == "Indexed" && JsonRead.Long(spec, "completions") == JsonRead.Long(spec, "parallelism");
        if (!elastic) Immutable(spec?["completions"], oldSpec?["completions"], "spec.completions", GoValue.Json, errors);
        Immutable(spec?["selector"], oldSpec?["selector"], "spec.selector", n => GoValue.LabelSelector(n as JsonObject), errors);
        Immutable(spec?["template"], oldSpec?["template"], "spec.template", GoValue.Json, errors);
        Immutable(JsonRead.Str(spec, "completionMode"), JsonRead.Str(oldSpec, "completionMode"), "spec.completionMode", errors);
        Immutable(spec?["podFailurePolicy"], oldSpec?["podFailurePolicy"], "spec.podFailurePolicy", GoValue.Json, errors);
        Immutable(spec?["backoffLimitPerIndex"], oldSpec?["backoffLimitPerIndex"], "spec.backoffLimitPerIndex", GoValue.Json, errors);
    }

    /// <summary>validateJobSpec: counts, completion mode, the template and its restart policy (shared with CronJob templates).</summary>
    internal static void ValidateSpec(JsonObject? spec, string path, List<FieldError> errors)
    {
        foreach (var field in new[] { "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes" })
            WorkloadRules.NonNegative(spec, field, $"{path}.{field}", errors);
        var mode = JsonRead.Str(spec, "completionMode");
        if (mode is not null && mode is not ("NonIndexed" or "Indexed"))
            errors.Add(FieldError.NotSupported(path + ".completionMode", mode, ["NonIndexed", "Indexed"]));
        if (mode == "Indexed" && JsonRead.Long(spec, "completions") is null)
            errors.Add(FieldError.Required(path + ".completions", "when completion mode is Indexed"));
        var hasFailurePolicy = spec?["podFailurePolicy"] is not null;
        if (JsonRead.Str(spec, "podReplacementPolicy") is { } replacement)
        {
            if (hasFailurePolicy && replacement != "Failed")
                errors.Add(FieldError.NotSupported(path + ".podReplacementPolicy", replacement, ["Failed"]));
            else if (replacement is not ("TerminatingOrFailed" or "Failed"))
                errors.Add(FieldError.NotSupported(path + ".podReplacementPolicy", replacement, ["Failed", "TerminatingOrFailed"]));
        }
        var template = JsonRead.Obj(spec, "template");
        PodSpecRules.ValidateTemplate(template ?? [], null, path + ".template", errors);
        // Pod defaulting turns an unset restartPolicy into Always, so both mean "not chosen".
        var policy = JsonRead.Str(JsonRead.Obj(template, "spec"), "restartPolicy") ?? "";
        if (policy is "Always" or "")
            errors.Add(FieldError.Required(path + ".template.spec.restartPolicy", "valid values: \"OnFailure\", \"Never\""));
        else if (policy is not ("OnFailure" or "Never"))
            errors.Add(FieldError.NotSupported(path + ".template.spec.restartPolicy", policy, ["OnFailure", "Never"]));
        else if (hasFailurePolicy && policy != "Never")
            errors.Add(FieldError.Invalid(path + ".template.spec.restartPolicy", policy, "only \"Never\" is supported when podFailurePolicy is specified"));
    }
}
