using System.Globalization;
using System.Runtime.CompilerServices;
using Gantry.Client.Transport;
using k8s;
using k8s.Models;

namespace Gantry.Client;

/// <summary>The HTTP implementation of <see cref="IResourceClient{T}"/>.</summary>
internal sealed class ResourceClient<T>(RestTransport transport, ResourceInfo resource) : IResourceClient<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public ResourceInfo Resource => resource;

    public Task<T?> GetAsync(string? ns, string name, CancellationToken cancellationToken = default) =>
        transport.SendAsync<T>(HttpMethod.Get, resource.ObjectPath(ns, name), null, nullOnNotFound: true, cancellationToken);

    public async Task<ResourceList<T>> ListAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var collection = resource.CollectionPath(ns);
        List<T>? items = null;
        while (true)
        {
            var path = new QueryString(collection).Add(options).ToString();
            var page = await transport.SendAsync(HttpMethod.Get, path, null, ListBody<T>.Metadata, nullOnNotFound: false, cancellationToken).ConfigureAwait(false);
            var pageItems = page!.Items ?? [];
            foreach (var item in pageItems)
            {
                WithType(item);
                if (options.OmitManagedFields && item.Metadata is { } metadata) metadata.ManagedFields = null;
            }
            if (items is null) items = pageItems;
            else items.AddRange(pageItems);
            var next = page.ListMeta?.ContinueProperty;
            var revision = page.ListMeta?.ResourceVersion ?? "";
            if (string.IsNullOrEmpty(next) || !options.ListAllPages || options.Limit is null)
                return new ResourceList<T>(items, revision, string.IsNullOrEmpty(next) ? null : next);
            // Later pages are read at the first page's revision; the token carries it, so resourceVersion must go.
            options = options with { Continue = next, ResourceVersion = null };
        }
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? ns, ListOptions? options = null, bool allowBookmarks = true,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var timeout = options?.TimeoutSeconds ?? 300 + Random.Shared.Next(300);
        var path = new QueryString(resource.CollectionPath(ns)).Add("watch", "true").Add((options ?? new ListOptions()) with { Limit = null, Continue = null })
            .Add("allowWatchBookmarks", allowBookmarks ? "true" : null).Add("timeoutSeconds", timeout.ToString(CultureInfo.InvariantCulture)).ToString();
        using var response = await transport.OpenStreamAsync(path, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var e in WatchStreamReader.ReadAsync<T>(stream, options?.OmitManagedFields == true, cancellationToken).ConfigureAwait(false))
        {
            if (e.Object is not null) WithType(e.Object);
            yield return e;
        }
    }

    public Task<T> CreateAsync(T obj, string? ns = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Required(transport.SendAsync<T>(HttpMethod.Post, resource.CollectionPath(ns ?? obj.Metadata?.NamespaceProperty), RestTransport.Json(obj),
            nullOnNotFound: false, cancellationToken));
    }

    public Task<T> UpdateAsync(T obj, CancellationToken cancellationToken = default) => Put(obj, null, cancellationToken);

    public Task<T> UpdateStatusAsync(T obj, CancellationToken cancellationToken = default) => Put(obj, "status", cancellationToken);

    public Task<T> UpdateSubresourceAsync(T obj, string subresource, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subresource);
        return Put(obj, subresource, cancellationToken);
    }

    private Task<T> Put(T obj, string? subresource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj?.Metadata);
        var path = resource.ObjectPath(obj.Metadata.NamespaceProperty, obj.Metadata.Name, subresource);
        return Required(transport.SendAsync<T>(HttpMethod.Put, path, RestTransport.Json(obj), nullOnNotFound: false, cancellationToken));
    }

    public Task<T> PatchAsync(string? ns, string name, PatchType type, object body, PatchOptions? options = null, string? subresource = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (type == PatchType.Apply && string.IsNullOrEmpty(options?.FieldManager))
            throw new ArgumentException("server-side apply needs a field manager", nameof(options));
        var mediaType = type switch
        {
            PatchType.Json => "application/json-patch+json",
            PatchType.Merge => "application/merge-patch+json",
            PatchType.StrategicMerge => "application/strategic-merge-patch+json",
            _ => "application/apply-patch+yaml",
        };
        var path = new QueryString(resource.ObjectPath(ns, name, subresource)).Add("fieldManager", options?.FieldManager)
            .Add("force", type == PatchType.Apply && options!.Force ? "true" : null).ToString();
        return Required(transport.SendAsync<T>(HttpMethod.Patch, path, RestTransport.Json(body, mediaType), nullOnNotFound: false, cancellationToken));
    }

    public Task<bool> DeleteAsync(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        transport.SendAsync(HttpMethod.Delete, resource.ObjectPath(ns, name), Body(options), falseOnNotFound: true, cancellationToken);

    public Task DeleteCollectionAsync(string? ns, ListOptions? selection = null, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var path = new QueryString(resource.CollectionPath(ns)).Add("labelSelector", selection?.LabelSelector)
            .Add("fieldSelector", selection?.FieldSelector).ToString();
        return transport.SendAsync(HttpMethod.Delete, path, Body(options), falseOnNotFound: false, cancellationToken);
    }

    public Task<V1Scale> GetScaleAsync(string? ns, string name, CancellationToken cancellationToken = default) =>
        Required(transport.SendAsync<V1Scale>(HttpMethod.Get, resource.ObjectPath(ns, name, "scale"), null, nullOnNotFound: false, cancellationToken));

    public Task<V1Scale> UpdateScaleAsync(string? ns, string name, V1Scale scale, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scale);
        scale.ApiVersion ??= "autoscaling/v1";
        scale.Kind ??= "Scale";
        scale.Metadata ??= new V1ObjectMeta();
        scale.Metadata.Name ??= name;
        scale.Metadata.NamespaceProperty ??= ns;
        return Required(transport.SendAsync<V1Scale>(HttpMethod.Put, resource.ObjectPath(ns, name, "scale"), RestTransport.Json(scale),
            nullOnNotFound: false, cancellationToken));
    }

    /// <summary>The meta/v1 DeleteOptions body of options; none when there is nothing to say.</summary>
    private static HttpContent? Body(DeleteOptions? options) => options is null ? null : RestTransport.Json(options.ToModel());

    /// <summary>Lists leave kind and apiVersion out of their items; typed callers (owner references, events) want them.</summary>
    private void WithType(T obj)
    {
        obj.Kind ??= resource.Definition.Kind;
        obj.ApiVersion ??= resource.Definition.ApiVersion;
    }

    private static async Task<TResult> Required<TResult>(Task<TResult?> call) where TResult : class => (await call.ConfigureAwait(false))!;
}
