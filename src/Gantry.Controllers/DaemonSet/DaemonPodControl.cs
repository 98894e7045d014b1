using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.DaemonSet;

/// <summary>
/// Creates and deletes daemon pods through the API with the events Kubernetes' pod control records
/// ("Created pod: x", "Deleted pod: x"), creating in batches that double after each success (slow start).
/// </summary>
internal sealed class DaemonPodControl(IApiClient client, Informer<V1Pod> pods, EventRecorder recorder)
{
    private const int MaxBatchSize = 500;

    /// <summary>Deletes <paramref name="delete"/> and creates a pod for each node in <paramref name="create"/>.</summary>
    public async Task SyncNodesAsync(V1DaemonSet ds, IEnumerable<V1Pod> delete, IReadOnlyList<string> create, string hash, CancellationToken cancellationToken)
    {
        var errors = new List<Exception>();
        var next = 0;
        for (var batch = Math.Min(1, create.Count); batch > 0; batch = Math.Min(Math.Min(2 * batch, create.Count - next), MaxBatchSize))
        {
            var tasks = create.Skip(next).Take(batch).Select(node => CreateAsync(ds, node, hash, cancellationToken)).ToList();
            next += batch;
            var failed = (await Task.WhenAll(tasks.Select(Capture))).OfType<Exception>().ToList();
            if (failed.Count == 0) continue;
            // Kubernetes skips the rest of the batch ladder when a batch fails: the next pass retries.
            errors.AddRange(failed);
            break;
        }
        var deletions = delete.DistinctBy(p => p.Metadata.Uid).Select(p => DeleteAsync(ds, p, cancellationToken)).ToList();
        errors.AddRange((await Task.WhenAll(deletions.Select(Capture))).OfType<Exception>());
        if (errors.Count > 0) throw new AggregateException(errors);
    }

    private async Task CreateAsync(V1DaemonSet ds, string nodeName, string hash, CancellationToken cancellationToken)
    {
        try
        {
            var created = await client.For<V1Pod>().CreateAsync(DaemonPods.NewPod(ds, nodeName, hash), ds.Metadata.NamespaceProperty, cancellationToken);
            await CacheWait.UntilCreatedAsync(pods, created, cancellationToken);
            recorder.Normal(ds, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
        }
        catch (ApiClientException ex)
        {
            recorder.Warning(ds, "FailedCreate", $"Error creating: {ex.Message}");
            throw;
        }
    }

    private async Task DeleteAsync(V1DaemonSet ds, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await client.For<V1Pod>().DeleteAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, new DeleteOptions { PreconditionUid = pod.Metadata.Uid }, cancellationToken);
            await CacheWait.UntilDeletedAsync(pods, pod, cancellationToken);
            recorder.Normal(ds, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
        }
        catch (ApiClientException ex) when (!ex.IsNotFound)
        {
            recorder.Warning(ds, "FailedDelete", $"Error deleting: {ex.Message}");
            throw;
        }
    }

    private static async Task<Exception?> Capture(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex;
        }
    }
}
