using Gantry.Client;
using Gantry.Controllers.Job;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.Job;

/// <summary>Jobs, pods and waits shared by the job controller tests.</summary>
internal static class JobTestKit
{
    public const string TestNamespace = "default";

    /// <summary>Backoff compressed from 10 s / 6 min so failure tests take milliseconds.</summary>
    public static JobControllerOptions Fast { get; } = new() { PodFailureBackoff = TimeSpan.FromMilliseconds(20), MaxPodFailureBackoff = TimeSpan.FromMilliseconds(200) };

    public static Task<TestCluster> StartAsync() =>
        TestCluster.StartAsync(c => new JobController(c, Fast), c => new TtlAfterFinishedController(c));

    public static V1Job NewJob(string name, int? completions = 1, int parallelism = 1, Action<V1JobSpec>? configure = null)
    {
        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = TestNamespace },
            Spec = new V1JobSpec
            {
                Completions = completions,
                Parallelism = parallelism,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "main", Image = "busybox" }] },
                },
            },
        };
        configure?.Invoke(job.Spec);
        return job;
    }

    public static async Task<IReadOnlyList<V1Pod>> PodsAsync(TestCluster cluster, string job) =>
        (await cluster.Client.For<V1Pod>().ListAsync(TestNamespace, new ListOptions { LabelSelector = $"batch.kubernetes.io/job-name={job}" })).Items;

    public static async Task<List<V1Pod>> ActivePodsAsync(TestCluster cluster, string job) =>
        (await PodsAsync(cluster, job)).Where(p => p.Status?.Phase is not ("Succeeded" or "Failed") && p.Metadata.DeletionTimestamp is null).ToList();

    public static async Task<V1Job> GetJobAsync(TestCluster cluster, string name) =>
        await cluster.Client.For<V1Job>().GetAsync(TestNamespace, name) ?? throw new InvalidOperationException($"job {name} is gone");

    public static bool HasCondition(V1Job job, string type, string? reason = null) =>
        job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True" && (reason is null || c.Reason == reason)) == true;

    /// <summary>Waits until the job has <paramref name="count"/> active pods and returns them.</summary>
    public static async Task<List<V1Pod>> WaitForActivePodsAsync(TestCluster cluster, string job, int count)
    {
        List<V1Pod> pods = [];
        await TestCluster.EventuallyAsync(async () => (pods = await ActivePodsAsync(cluster, job)).Count == count, $"{count} active pods of {job}");
        return pods;
    }

    /// <summary>Waits for an active pod of <paramref name="index"/> other than the pod <paramref name="notUid"/>.</summary>
    public static async Task<V1Pod> WaitForIndexPodAsync(TestCluster cluster, string job, string index, string notUid)
    {
        V1Pod? pod = null;
        await TestCluster.EventuallyAsync(async () => (pod = (await ActivePodsAsync(cluster, job)).FirstOrDefault(p =>
            p.Metadata.Uid != notUid && p.Metadata.Annotations["batch.kubernetes.io/job-completion-index"] == index)) is not null, $"a new pod for index {index}");
        return pod!;
    }

    public static async Task<V1Job> WaitForJobAsync(TestCluster cluster, string name, Func<V1Job, bool> condition, string what)
    {
        V1Job? job = null;
        try
        {
            await TestCluster.EventuallyAsync(async () => condition(job = await GetJobAsync(cluster, name)), what);
        }
        catch (TimeoutException ex)
        {
            var pods = (await PodsAsync(cluster, name)).Select(p => $"{p.Metadata.Name}:{p.Status?.Phase}:{string.Join('|', p.Metadata.Finalizers ?? [])}");
            throw new TimeoutException($"{ex.Message}; status {System.Text.Json.JsonSerializer.Serialize(job?.Status)}; pods {string.Join(", ", pods)}", ex);
        }
        return job!;
    }

    public static async Task<IReadOnlyList<Corev1Event>> EventsAsync(TestCluster cluster, string involvedName) =>
        (await cluster.Client.For<Corev1Event>().ListAsync(TestNamespace)).Items.Where(e => e.InvolvedObject.Name == involvedName).ToList();

    public static async Task WaitForEventAsync(TestCluster cluster, string involvedName, string reason) =>
        await TestCluster.EventuallyAsync(async () => (await EventsAsync(cluster, involvedName)).Any(e => e.Reason == reason), $"event {reason} on {involvedName}");
}
