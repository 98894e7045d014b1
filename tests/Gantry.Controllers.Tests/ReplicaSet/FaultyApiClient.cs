using System.Net;
using System.Runtime.CompilerServices;
using Gantry.Client;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.Tests.ReplicaSet;

/// <summary>
/// An API client that passes everything through except pods: creates can be refused (a quota) and watch events can
/// arrive late (a lagging informer).
/// </summary>
internal sealed class FaultyApiClient(IApiClient inner) : IApiClient
{
    private int _podCreateAttempts;

    /// <summary>Pod creates allowed before the rest fail with a 403 quota error; null = no limit.</summary>
    public int? PodQuota { get; set; }

    /// <summary>How long each pod watch event is held back.</summary>
    public TimeSpan PodWatchLag { get; set; }

    /// <summary>Pod creates attempted so far.</summary>
    public int PodCreateAttempts => Volatile.Read(ref _podCreateAttempts);

    private int _podsCreated;

    public IResourceClient<T> For<T>() where T : class, IKubernetesObject<V1ObjectMeta> =>
        typeof(T) == typeof(V1Pod) ? (IResourceClient<T>)(object)new Pods(this, inner.For<V1Pod>()) : inner.For<T>();

    public Task BindAsync(string ns, string podName, string nodeName, string? podUid = null, CancellationToken cancellationToken = default) =>
        inner.BindAsync(ns, podName, nodeName, podUid, cancellationToken);

    public Task EvictAsync(string ns, string podName, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.EvictAsync(ns, podName, options, cancellationToken);

    private sealed class Pods(FaultyApiClient owner, IResourceClient<V1Pod> pods) : IResourceClient<V1Pod>
    {
        public ResourceInfo Resource => pods.Resource;

        public Task<V1Pod?> GetAsync(string? ns, string name, CancellationToken cancellationToken = default) => pods.GetAsync(ns, name, cancellationToken);

        public Task<ResourceList<V1Pod>> ListAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default) =>
            pods.ListAsync(ns, options, cancellationToken);

        public async IAsyncEnumerable<WatchEvent<V1Pod>> WatchAsync(string? ns, ListOptions? options = null, bool allowBookmarks = true,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var e in pods.WatchAsync(ns, options, allowBookmarks, cancellationToken))
            {
                if (owner.PodWatchLag > TimeSpan.Zero) await Task.Delay(owner.PodWatchLag, cancellationToken);
                yield return e;
            }
        }

        public async Task<V1Pod> CreateAsync(V1Pod obj, string? ns = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._podCreateAttempts);
            if (owner.PodQuota is { } quota && Interlocked.Increment(ref owner._podsCreated) > quota)
            {
                Interlocked.Decrement(ref owner._podsCreated);
                throw new ApiClientException(HttpStatusCode.Forbidden, new V1Status
                {
                    Code = 403, Reason = "Forbidden", Status = "Failure",
                    Message = $"pods \"{obj.Metadata.GenerateName}xxxxx\" is forbidden: exceeded quota: pods, requested: pods=1, used: pods={quota}, limited: pods={quota}",
                });
            }
            return await pods.CreateAsync(obj, ns, cancellationToken);
        }

        public Task<V1Pod> UpdateAsync(V1Pod obj, CancellationToken cancellationToken = default) => pods.UpdateAsync(obj, cancellationToken);

        public Task<V1Pod> UpdateStatusAsync(V1Pod obj, CancellationToken cancellationToken = default) => pods.UpdateStatusAsync(obj, cancellationToken);

        public Task<V1Pod> PatchAsync(string? ns, string name, PatchType type, object body, PatchOptions? options = null, string? subresource = null,
            CancellationToken cancellationToken = default) => pods.PatchAsync(ns, name, type, body, options, subresource, cancellationToken);

        public Task<bool> DeleteAsync(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
            pods.DeleteAsync(ns, name, options, cancellationToken);

        public Task DeleteCollectionAsync(string? ns, ListOptions? selection = null, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
            pods.DeleteCollectionAsync(ns, selection, options, cancellationToken);

        public Task<V1Scale> GetScaleAsync(string? ns, string name, CancellationToken cancellationToken = default) => pods.GetScaleAsync(ns, name, cancellationToken);

        public Task<V1Scale> UpdateScaleAsync(string? ns, string name, V1Scale scale, CancellationToken cancellationToken = default) =>
            pods.UpdateScaleAsync(ns, name, scale, cancellationToken);
    }
}
