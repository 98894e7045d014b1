using Gantry.Api.Registry;
using Gantry.Client;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>The typed implementation of <see cref="IResourceAccess"/> over one model type.</summary>
internal sealed class ResourceAccess<T>(IApiClient client, ResourceDefinition definition) : IResourceAccess
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IResourceClient<T> _client = client.For<T>();

    public ResourceDefinition Definition => definition;

    public async Task<V1ObjectMeta?> GetAsync(string? ns, string name, CancellationToken cancellationToken) =>
        (await _client.GetAsync(ns, name, cancellationToken).ConfigureAwait(false))?.Metadata;

    public async Task<IReadOnlyList<V1ObjectMeta>> ListAsync(string? ns, CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(ns, new ListOptions { Limit = 500 }, cancellationToken).ConfigureAwait(false);
        return [.. list.Items.Select(i => i.Metadata)];
    }

    public Task<bool> DeleteAsync(string? ns, string name, DeleteOptions options, CancellationToken cancellationToken) =>
        _client.DeleteAsync(ns, name, options, cancellationToken);

    public Task DeleteCollectionAsync(string ns, CancellationToken cancellationToken) =>
        _client.DeleteCollectionAsync(ns, null, DeleteOptions.Background, cancellationToken);

    public Task PatchAsync(string? ns, string name, string mergePatch, CancellationToken cancellationToken) =>
        _client.PatchAsync(ns, name, PatchType.Merge, mergePatch, null, null, cancellationToken);
}
