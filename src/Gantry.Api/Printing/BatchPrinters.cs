using System.Text.Json.Nodes;
using Gantry.Api.Selectors;

namespace Gantry.Api.Printing;

/// <summary>Tables of Job (STATUS, COMPLETIONS, DURATION) and CronJob.</summary>
internal static class BatchPrinters
{
    public static IResourcePrinter Job() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Status", "Status of the job."),
        Col.Text("Completions", ColumnDescriptions.JobSucceeded),
        Col.Text("Duration", "Time required to complete the job."),
        Col.Age, Col.Containers, Col.Images,
        Col.Wide("Selector", ColumnDescriptions.JobSelector),
    ], (job, now) =>
    {
        var succeeded = JsonRead.Int(job, "status.succeeded");
        string completions;
        if (JsonRead.Long(job, "spec.completions") is { } wanted)
            completions = $"{succeeded}/{wanted}";
        else
        {
            var parallelism = JsonRead.Int(job, "spec.parallelism");
            completions = parallelism > 1 ? $"{succeeded}/1 of {parallelism}" : $"{succeeded}/1";
        }
        var start = JsonRead.Time(job, "status.startTime");
        var completion = JsonRead.Time(job, "status.completionTime");
        var duration = start is null ? "" : Age.Human((completion ?? now) - start.Value);
        var (names, images) = Col.ContainerCells(JsonRead.Obj(job, "spec.template.spec"));
        return
        [
            Col.NameOf(job), Status(job), completions, duration, Age.Since(job, now),
            names, images, LabelSelector.Format(JsonRead.At(job, "spec.selector")),
        ];
    });

    public static IResourcePrinter CronJob() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Schedule", ColumnDescriptions.CronJobSchedule),
        Col.Text("Timezone", ColumnDescriptions.CronJobTimeZone),
        new("Suspend", "boolean", "", ColumnDescriptions.CronJobSuspend),
        Col.Integer("Active", ColumnDescriptions.CronJobActive),
        Col.Text("Last Schedule", ColumnDescriptions.CronJobLastScheduleTime),
        Col.Age, Col.Containers, Col.Images,
        Col.Wide("Selector", ColumnDescriptions.JobSelector),
    ], (cronJob, now) =>
    {
        var lastSchedule = JsonRead.Time(cronJob, "status.lastScheduleTime");
        var suspend = JsonRead.Bool(cronJob, "spec.suspend");
        var jobSpec = JsonRead.Obj(cronJob, "spec.jobTemplate.spec");
        var (names, images) = Col.ContainerCells(JsonRead.Obj(jobSpec, "template.spec"));
        return
        [
            Col.NameOf(cronJob), JsonRead.Text(cronJob, "spec.schedule"), JsonRead.Str(cronJob, "spec.timeZone") ?? "<none>",
            suspend is null ? "<unset>" : suspend.Value ? "True" : "False",
            JsonRead.Count(cronJob, "status.active"),
            lastSchedule is null ? "<none>" : Age.Since(lastSchedule, now),
            Age.Since(cronJob, now), names, images, LabelSelector.Format(JsonRead.At(jobSpec, "selector")),
        ];
    });

    // The first matching condition in this order decides, as printJob does.
    private static string Status(JsonObject job)
    {
        var conditions = JsonRead.Array(job, "status.conditions");
        bool Has(string type) => conditions.FirstOrDefault(c => JsonRead.Str(c, "type") == type) is { } c && JsonRead.Str(c, "status") == "True";
        if (Has("Complete")) return "Complete";
        if (Has("Failed")) return "Failed";
        if (JsonRead.Str(job, "metadata.deletionTimestamp") is { Length: > 0 }) return "Terminating";
        if (Has("Suspended")) return "Suspended";
        if (Has("FailureTarget")) return "FailureTarget";
        return "Running";
    }
}
