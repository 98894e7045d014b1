using Gantry.Client;
using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Controllers.Disruption;

public sealed partial class DisruptionController
{
    /// <summary>
    /// A pod marked DisruptionTarget=True (by an eviction or the taint manager) that is still not being deleted after
    /// <see cref="DisruptionOptions.StalePodDisruptionTimeout"/> was not disrupted after all: the condition is reset to
    /// False. Conditions the node agent sets and those of finished pods are left alone.
    /// </summary>
    private TimeSpan? StaleDisruptionCleanupDelay(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed") return null;
        var condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "DisruptionTarget");
        if (condition is not { Status: "True" } || condition.Reason == "TerminationByKubelet") return null;
        var since = condition.LastTransitionTime is { } at ? _context.Time.GetUtcNow() - new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : TimeSpan.Zero;
        var wait = _options.StalePodDisruptionTimeout - since;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    private void EnqueueStaleDisruptionCleanup(V1Pod pod)
    {
        if (StaleDisruptionCleanupDelay(pod) is { } wait) _staleQueue.AddAfter(ObjectKey.Of(pod), wait);
    }

    private async Task ClearStaleDisruptionAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var cached = _pods.Get(ns, name);
        if (cached is null || StaleDisruptionCleanupDelay(cached) is not { } wait) return;
        if (wait > TimeSpan.Zero)
        {
            _staleQueue.AddAfter(key, wait);
            return;
        }
        var pod = ObjectCopy.DeepCopy(cached);
        var condition = pod.Status.Conditions.First(c => c.Type == "DisruptionTarget");
        condition.Status = "False";
        condition.Reason = null;
        condition.Message = null;
        condition.LastTransitionTime = _context.Time.GetUtcNow().UtcDateTime;
        await _context.Client.For<V1Pod>().UpdateStatusAsync(pod, cancellationToken);
    }
}
