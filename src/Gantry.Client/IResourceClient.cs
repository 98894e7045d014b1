using k8s;
using k8s.Models;

namespace Gantry.Client;

/// <summary>
/// Typed access to one resource. <c>ns</c> is ignored for cluster-scoped resources; a null <c>ns</c> on a list or watch
/// of a namespaced resource means all namespaces. Failures throw <see cref="ApiClientException"/> (409 Conflict as
/// <see cref="ConflictException"/>), except that a missing object is <c>null</c> from <see cref="GetAsync"/> and
/// <c>false</c> from <see cref="DeleteAsync"/>. Transport failures surface as <see cref="HttpRequestException"/>, and a
/// request without an answer within <see cref="ApiClientOptions.RequestTimeout"/> as <see cref="TimeoutException"/>.
/// Objects read through a list or watch always carry kind and apiVersion.
/// </summary>
public interface IResourceClient<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Where the resource lives: group, version, plural, scope.</summary>
    ResourceInfo Resource { get; }

    /// <summary>Reads one object; null when it does not exist.</summary>
    Task<T?> GetAsync(string? ns, string name, CancellationToken cancellationToken = default);

    /// <summary>Lists objects; with a <see cref="ListOptions.Limit"/> and <see cref="ListOptions.ListAllPages"/> it pages internally.</summary>
    Task<ResourceList<T>> ListAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Watches from <see cref="ListOptions.ResourceVersion"/> until the server ends the stream, an ERROR event arrives
    /// (yielded, then the stream ends) or the token is cancelled. Transport failures throw.
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? ns, ListOptions? options = null, bool allowBookmarks = true, CancellationToken cancellationToken = default);

    /// <summary>Creates the object in its metadata.namespace (or <paramref name="ns"/> when given).</summary>
    Task<T> CreateAsync(T obj, string? ns = null, CancellationToken cancellationToken = default);

    /// <summary>Replaces the object; its metadata.resourceVersion guards the write (stale -> <see cref="ConflictException"/>).</summary>
    Task<T> UpdateAsync(T obj, CancellationToken cancellationToken = default);

    /// <summary>Replaces the status subresource (the rest of the object is ignored by the server).</summary>
    Task<T> UpdateStatusAsync(T obj, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces another subresource that takes the whole object (PUT namespaces/{name}/finalize). The default throws so
    /// that wrappers written before this member keep compiling; the HTTP client implements it.
    /// </summary>
    Task<T> UpdateSubresourceAsync(T obj, string subresource, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not update subresources");

    /// <summary>
    /// Patches an object (or a <paramref name="subresource"/> such as "status"). <paramref name="body"/> is sent as is when
    /// it is a string or byte array, otherwise serialized as JSON (for a JSON patch: a list of operations).
    /// </summary>
    Task<T> PatchAsync(string? ns, string name, PatchType type, object body, PatchOptions? options = null, string? subresource = null,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes every selected object in a namespace (or cluster-wide for cluster-scoped resources).</summary>
    Task DeleteCollectionAsync(string? ns, ListOptions? selection = null, DeleteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the scale subresource (deployments, replicasets, statefulsets, replicationcontrollers).</summary>
    Task<V1Scale> GetScaleAsync(string? ns, string name, CancellationToken cancellationToken = default);

    /// <summary>Writes the scale subresource (spec.replicas; resourceVersion, when set, guards the write).</summary>
    Task<V1Scale> UpdateScaleAsync(string? ns, string name, V1Scale scale, CancellationToken cancellationToken = default);
}
