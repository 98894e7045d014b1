using System.Globalization;
using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.Job;

/// <summary>What the job controller reads from and writes into its pods: finalizer, completion index, phases, the pod template.</summary>
internal static class JobPods
{
    /// <summary>Keeps a finished pod until the job controller has counted it in the job status.</summary>
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";
    public const string CompletionIndexAnnotation = "batch.kubernetes.io/job-completion-index";
    public const string CompletionIndexEnv = "JOB_COMPLETION_INDEX";
    /// <summary>The longest generateName the API server accepts before adding its 5 random characters.</summary>
    private const int MaxGenerateNameLength = 58;

    public static bool HasFinalizer(V1Pod pod) => pod.Metadata.Finalizers?.Contains(TrackingFinalizer) == true;

    public static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    public static bool IsSucceeded(V1Pod pod) => pod.Status?.Phase == "Succeeded";

    /// <summary>Neither finished nor being deleted.</summary>
    public static bool IsActive(V1Pod pod) => !IsTerminal(pod) && pod.Metadata.DeletionTimestamp is null;

    /// <summary>Being deleted but not yet finished (status.terminating).</summary>
    public static bool IsTerminating(V1Pod pod) => !IsTerminal(pod) && pod.Metadata.DeletionTimestamp is not null;

    /// <summary>
    /// isPodFailed: phase Failed, or — unless only failed pods are replaced — deleted before succeeding, so that pods
    /// which never reach the Failed phase (orphaned, evicted) still count.
    /// </summary>
    public static bool IsFailed(V1Pod pod, V1Job job)
    {
        if (pod.Status?.Phase == "Failed") return true;
        if (job.Spec.PodReplacementPolicy == "Failed") return false;
        return pod.Metadata.DeletionTimestamp is not null && pod.Status?.Phase != "Succeeded";
    }

    public static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>The completion index annotation, or -1 when missing or malformed.</summary>
    public static int CompletionIndex(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(CompletionIndexAnnotation, out var text) == true
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1;

    /// <summary>When a finished pod finished: its last container's finish, else its deletion time, else its creation.</summary>
    public static DateTime FinishTime(V1Pod pod)
    {
        var finished = (pod.Status?.ContainerStatuses ?? []).Concat(pod.Status?.InitContainerStatuses ?? [])
            .Select(s => s.State?.Terminated?.FinishedAt).Where(t => t is not null).Max();
        return finished ?? pod.Metadata.DeletionTimestamp ?? pod.Metadata.CreationTimestamp ?? DateTime.MinValue;
    }

    /// <summary>The job's key from a pod's controller reference, or null when no job controls it.</summary>
    public static string? OwnerJobKey(V1Pod pod) =>
        pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "Job" && o.ApiVersion.StartsWith("batch/", StringComparison.Ordinal))
            is { } owner ? $"{pod.Metadata.NamespaceProperty}/{owner.Name}" : null;

    /// <summary>The pod a job creates from its template: tracking finalizer, controller reference, and for Indexed jobs the index.</summary>
    public static V1Pod FromTemplate(V1Job job, int? index)
    {
        var template = ObjectCopy.DeepCopy(job.Spec.Template);
        var meta = template.Metadata ?? new V1ObjectMeta();
        var name = job.Metadata.Name;
        var prefix = index is { } i ? $"{name}-{i}-" : $"{name}-";
        if (prefix.Length > MaxGenerateNameLength)
            prefix = index is { } j ? $"{name[..(MaxGenerateNameLength - $"-{j}-".Length)]}-{j}-" : prefix[..MaxGenerateNameLength];
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = prefix,
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Labels = meta.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(meta.Labels),
                Annotations = meta.Annotations is null ? new Dictionary<string, string>() : new Dictionary<string, string>(meta.Annotations),
                Finalizers = [.. meta.Finalizers ?? [], .. (meta.Finalizers?.Contains(TrackingFinalizer) == true ? Array.Empty<string>() : [TrackingFinalizer])],
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "batch/v1", Kind = "Job", Name = name, Uid = job.Metadata.Uid, Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = template.Spec,
        };
        if (index is { } ix)
        {
            var text = ix.ToString(CultureInfo.InvariantCulture);
            pod.Metadata.Annotations[CompletionIndexAnnotation] = text;
            pod.Metadata.Labels[CompletionIndexAnnotation] = text;
            pod.Spec.Hostname = $"{name}-{text}";
            foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers))
            {
                container.Env ??= [];
                if (container.Env.Any(e => e.Name == CompletionIndexEnv)) continue;
                container.Env.Add(new V1EnvVar
                {
                    Name = CompletionIndexEnv,
                    ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = $"metadata.annotations['{CompletionIndexAnnotation}']" } },
                });
            }
        }
        return pod;
    }

    /// <summary>
    /// Orders active pods for removal as Kubernetes' ActivePods sort does (the first ones go first): unscheduled before
    /// scheduled, pending before running, not ready before ready, newer before older.
    /// </summary>
    public static IEnumerable<V1Pod> OrderForRemoval(IEnumerable<V1Pod> pods) => pods
        .OrderBy(p => string.IsNullOrEmpty(p.Spec.NodeName) ? 0 : 1)
        .ThenBy(p => p.Status?.Phase switch { "Pending" or null => 0, "Unknown" => 1, _ => 2 })
        .ThenBy(p => IsReady(p) ? 1 : 0)
        .ThenByDescending(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue);
}
