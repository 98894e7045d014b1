using Gantry.Client.Informers;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.History;

/// <summary>
/// Waits until an informer's cache shows a write this controller just made. Reading our own writes before the next
/// reconcile keeps a lagging cache from causing a second create or delete (the job expectations do in Kubernetes)
/// without keeping state the API could not rebuild.
/// </summary>
internal static class CacheWait
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <summary>Waits (briefly, bounded) until <paramref name="seen"/> holds for the cached object.</summary>
    public static async Task UntilAsync<T>(Informer<T> informer, string? ns, string name, Func<T?, bool> seen, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!seen(informer.Get(ns, name)) && DateTime.UtcNow < deadline)
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the cache holds the created object (by uid).</summary>
    public static Task UntilCreatedAsync<T>(Informer<T> informer, T created, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        UntilAsync(informer, created.Metadata.NamespaceProperty, created.Metadata.Name, o => o?.Metadata.Uid == created.Metadata.Uid, cancellationToken);

    /// <summary>Waits until the cache holds the written object at its resourceVersion or later (or it is gone).</summary>
    public static Task UntilWrittenAsync<T>(Informer<T> informer, T written, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        UntilAsync(informer, written.Metadata.NamespaceProperty, written.Metadata.Name,
            o => o is null || o.Metadata.Uid != written.Metadata.Uid || Version(o) >= Version(written), cancellationToken);

    /// <summary>Waits until the cache no longer holds the object with that uid, or shows it terminating.</summary>
    public static Task UntilDeletedAsync<T>(Informer<T> informer, T deleted, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        UntilAsync(informer, deleted.Metadata.NamespaceProperty, deleted.Metadata.Name,
            o => o is null || o.Metadata.Uid != deleted.Metadata.Uid || o.Metadata.DeletionTimestamp is not null, cancellationToken);

    // Resource versions are opaque to clients in general, but this API server's are its store revisions: numbers.
    private static long Version(IKubernetesObject<V1ObjectMeta> obj) =>
        long.TryParse(obj.Metadata.ResourceVersion, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? version
            : long.MaxValue;
}
