using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.Storage;
using Microsoft.Extensions.Logging;

namespace Gantry.ApiServer.Cache;

/// <summary>
/// The watch caches of every stored resource, fed by ONE store watch over <c>/registry/</c> in revision order. A
/// single feed gives every cache a common clock: once it reads R, a list of any resource includes every write up to R.
/// </summary>
public sealed partial class CacheSet : IAsyncDisposable
{
    private const string Root = "/registry/";
    private readonly IStore _store;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ResourceCache> _byPrefix = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Creates (not yet started) caches for every stored resource of a registry.</summary>
    public CacheSet(IStore store, ResourceRegistry registry, int ringCapacity, ILoggerFactory loggers)
    {
        _store = store;
        _logger = loggers.CreateLogger<CacheSet>();
        foreach (var def in registry.Resources.Where(r => !r.CreateOnly))
        {
            if (_byPrefix.ContainsKey(def.KeyPrefix)) continue;
            _byPrefix[def.KeyPrefix] = new ResourceCache(def.KeyPrefix, FieldCatalog.For(def), ringCapacity, Clock, FieldCatalog.IndexedField(def));
        }
    }

    /// <summary>The revision all caches have reached.</summary>
    public CacheClock Clock { get; } = new();

    /// <summary>The cache of a resource.</summary>
    public ResourceCache For(ResourceDefinition def) => _byPrefix[def.KeyPrefix];

    /// <summary>Loads every cache and starts following the store.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var revision = await LoadAsync(cancellationToken);
        _loop = Task.Run(() => FollowAsync(revision, _stop.Token), CancellationToken.None);
    }

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        var list = await _store.ListAsync(Root, ListRequest.All, cancellationToken);
        foreach (var (prefix, cache) in _byPrefix)
            cache.Load(list.Items.Where(v => v.Key.StartsWith(prefix, StringComparison.Ordinal)), list.Revision);
        Clock.Advance(list.Revision);
        return list.Revision;
    }

    private async Task FollowAsync(long revision, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var events = _store.Watch(Root, revision, cancellationToken);
                while (await events.WaitToReadAsync(cancellationToken))
                {
                    while (events.TryRead(out var e))
                    {
                        CacheFor(e.Value.Key)?.Apply(e);
                        revision = e.Value.ModRevision;
                    }
                    // Advance once the channel is drained: writes of one group commit become visible together.
                    Clock.Advance(revision);
                }
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Lost events (overflow or compaction): start over from a fresh list; watchers relist too.
                LogRelist(_logger, ex.Message);
                try { revision = await LoadAsync(cancellationToken); }
                catch (OperationCanceledException) { return; }
                catch (Exception inner) { LogRelist(_logger, inner.Message); await Task.Delay(500, cancellationToken); }
            }
        }
    }

    /// <summary>The cache of a key: <c>/registry/&lt;resource&gt;/...</c>.</summary>
    private ResourceCache? CacheFor(string key)
    {
        var end = key.IndexOf('/', Root.Length);
        if (end < 0) return null;
        return _byPrefix.GetValueOrDefault(key[..(end + 1)]);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var cache in _byPrefix.Values) cache.CloseWatchers();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "watch caches relisting: {Reason}")]
    private static partial void LogRelist(ILogger logger, string reason);
}
