using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>batch/v1 CronJobs: schedule and concurrency rules, history limits, a job template without a selector.</summary>
internal sealed class CronJobStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    protected override JsonObject? InitialStatus(JsonObject obj) => [];

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        JsonRead.DefaultString(spec, "concurrencyPolicy", "Allow");
        JsonRead.Default(spec, "suspend", false);
        JsonRead.Default(spec, "successfulJobsHistoryLimit", 3);
        JsonRead.Default(spec, "failedJobsHistoryLimit", 1);
        var jobTemplate = JsonRead.Child(spec, "jobTemplate");
        PodDefaults.EmbeddedMetadata(jobTemplate);
        PodDefaults.ApplyTemplate(JsonRead.Obj(JsonRead.Obj(jobTemplate, "spec"), "template"));
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        // Jobs get the name plus an 11-character suffix, and job names become label values (at most 63).
        var name = JsonRead.Str(JsonRead.Obj(obj, "metadata"), "name") ?? "";
        if (name.Length > 52) errors.Add(FieldError.Invalid("metadata.name", name, "must be no more than 52 characters"));
        ValidateSpec(obj, errors);
    }

    // Kubernetes skips the name length limit on update, so that old cron jobs with long names can still be changed.
    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) => ValidateSpec(obj, errors);

    private static void ValidateSpec(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        var schedule = JsonRead.Str(spec, "schedule") ?? "";
        if (schedule.Length == 0)
        {
            errors.Add(FieldError.Required("spec.schedule"));
        }
        else if (schedule.Contains("TZ", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, spec?["timeZone"] is null
                ? "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
                : "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
        }
        else if (CronSchedule.Error(schedule) is { } error)
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, error));
        }
        WorkloadRules.NonNegative(spec, "startingDeadlineSeconds", "spec.startingDeadlineSeconds", errors);
        var policy = JsonRead.Str(spec, "concurrencyPolicy") ?? "";
        if (policy.Length == 0) errors.Add(FieldError.Required("spec.concurrencyPolicy"));
        else if (policy is not ("Allow" or "Forbid" or "Replace"))
            errors.Add(FieldError.NotSupported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"]));
        var jobSpec = JsonRead.Obj(JsonRead.Obj(spec, "jobTemplate"), "spec");
        JobStrategy.ValidateSpec(jobSpec, "spec.jobTemplate.spec", errors);
        if (jobSpec?["selector"] is { } selector)
            errors.Add(FieldError.InvalidRaw("spec.jobTemplate.spec.selector", GoValue.LabelSelector(selector as JsonObject), "`selector` will be auto-generated"));
        if (JsonRead.Bool(jobSpec, "manualSelector") == true)
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.jobTemplate.spec.manualSelector", "true", "supported values: \"nil\", \"false\"") { ValueIsRaw = true });
        WorkloadRules.NonNegative(spec, "successfulJobsHistoryLimit", "spec.successfulJobsHistoryLimit", errors);
        WorkloadRules.NonNegative(spec, "failedJobsHistoryLimit", "spec.failedJobsHistoryLimit", errors);
    }
}
