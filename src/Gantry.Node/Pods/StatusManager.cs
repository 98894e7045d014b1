using System.Collections.Concurrent;
using Gantry.Client;
using k8s;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// Writes pod statuses through the status subresource only when they changed (compared as serialized JSON, so times
/// are second-precise as the API keeps them), retrying on conflicts against the latest object, and skipping pods that
/// are gone or were replaced by a pod with the same name.
/// </summary>
internal sealed class StatusManager(IApiClient client)
{
    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);
    // Per pod, the resourceVersion the last write was based on and the object it returned: a write that follows before
    // the informer delivered that one starts from it instead of running into a conflict and a GET.
    private readonly ConcurrentDictionary<string, (string? From, V1Pod Written)> _latest = new(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="status"/> for <paramref name="pod"/> unless the API (or our last write) already has it.</summary>
    public async Task WriteAsync(V1Pod pod, V1PodStatus status, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var json = KubernetesJson.Serialize(status);
        if (pod.Status is not null && KubernetesJson.Serialize(pod.Status) == json) return;
        if (_written.TryGetValue(uid, out var last) && last == json) return;
        var pods = client.For<V1Pod>();
        var target = ObjectCopy.DeepCopy(Base(pod));
        for (var attempt = 0; ; attempt++)
        {
            var from = target.Metadata.ResourceVersion;
            target.Status = status;
            try
            {
                var written = await pods.UpdateStatusAsync(target, cancellationToken).ConfigureAwait(false);
                _written[uid] = json;
                if (written?.Metadata?.Uid == uid) _latest[uid] = (from, written);
                return;
            }
            catch (ConflictException) when (attempt < 5)
            {
                var fresh = await pods.GetAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, cancellationToken).ConfigureAwait(false);
                if (fresh is null || fresh.Metadata.Uid != uid) return;
                if (fresh.Status is not null && KubernetesJson.Serialize(fresh.Status) == json)
                {
                    _written[uid] = json;
                    return;
                }
                target = fresh;
            }
            catch (ApiClientException ex) when (ex.IsNotFound)
            {
                return;
            }
        }
    }

    /// <summary>Forgets a removed pod.</summary>
    public void Forget(string podUid)
    {
        _written.TryRemove(podUid, out _);
        _latest.TryRemove(podUid, out _);
    }

    // The object our last write returned while <paramref name="pod"/> is still the copy that write started from.
    private V1Pod Base(V1Pod pod) =>
        _latest.TryGetValue(pod.Metadata.Uid, out var latest) && latest.From is not null && latest.From == pod.Metadata.ResourceVersion ? latest.Written : pod;
}
