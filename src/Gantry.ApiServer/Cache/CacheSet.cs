using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.ApiServer.Handlers;
using Gantry.Storage;
using Microsoft.Extensions.Logging;

namespace Gantry.ApiServer.Cache;

/// <summary>One watch cache per stored resource (resources sharing storage share a cache).</summary>
public sealed class CacheSet : IAsyncDisposable
{
    private readonly Dictionary<string, ResourceCache> _byPrefix = [];

    /// <summary>Creates (not yet started) caches for every stored resource of a registry.</summary>
    public CacheSet(IStore store, ResourceRegistry registry, int ringCapacity, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<ResourceCache>();
        foreach (var def in registry.Resources.Where(r => !r.CreateOnly))
        {
            if (_byPrefix.ContainsKey(def.KeyPrefix)) continue;
            var catalog = FieldCatalog.For(def);
            _byPrefix[def.KeyPrefix] = new ResourceCache(store, def.KeyPrefix, obj => ListQuery.Extract(catalog, obj), ringCapacity, logger);
        }
    }

    /// <summary>The cache of a resource.</summary>
    public ResourceCache For(ResourceDefinition def) => _byPrefix[def.KeyPrefix];

    /// <summary>Loads every cache.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_byPrefix.Values.Select(c => c.StartAsync(cancellationToken)));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var cache in _byPrefix.Values) await cache.DisposeAsync();
    }
}
