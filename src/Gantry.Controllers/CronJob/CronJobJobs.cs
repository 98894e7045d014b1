using System.Globalization;
using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.CronJob;

/// <summary>The jobs a CronJob makes: deterministic names, the scheduled-time annotation, finished states, references.</summary>
internal static class CronJobJobs
{
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    /// <summary>&lt;cronjob&gt;-&lt;minutes since the epoch&gt;: the name doubles as a lock against creating a run twice.</summary>
    public static string Name(V1CronJob cronJob, DateTimeOffset scheduled) =>
        $"{cronJob.Metadata.Name}-{(scheduled.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The CronJob's key from a job's controller reference, or null.</summary>
    public static string? OwnerKey(V1Job job) =>
        job.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "CronJob" && o.ApiVersion.StartsWith("batch/", StringComparison.Ordinal))
            is { } owner ? $"{job.Metadata.NamespaceProperty}/{owner.Name}" : null;

    /// <summary>"Complete" or "Failed" when the job has finished, else null.</summary>
    public static string? FinishedType(V1Job job) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type is "Complete" or "Failed" && c.Status == "True")?.Type;

    public static V1Job FromTemplate(V1CronJob cronJob, DateTimeOffset scheduled, TimeZoneInfo zone)
    {
        var template = cronJob.Spec.JobTemplate;
        var annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : new Dictionary<string, string>();
        var local = TimeZoneInfo.ConvertTime(scheduled, zone);
        annotations[ScheduledTimestampAnnotation] = Rfc3339(local);
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = Name(cronJob, scheduled),
                NamespaceProperty = cronJob.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : null,
                Annotations = annotations,
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "batch/v1", Kind = "CronJob", Name = cronJob.Metadata.Name, Uid = cronJob.Metadata.Uid,
                        Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = ObjectCopy.DeepCopy(template.Spec),
        };
    }

    public static V1ObjectReference Reference(V1Job job) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Name = job.Metadata.Name,
        NamespaceProperty = job.Metadata.NamespaceProperty,
        Uid = job.Metadata.Uid,
        ResourceVersion = job.Metadata.ResourceVersion,
    };

    /// <summary>Go's time.RFC3339 layout: "Z" for UTC, else the numeric offset.</summary>
    private static string Rfc3339(DateTimeOffset time) =>
        time.Offset == TimeSpan.Zero
            ? time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
