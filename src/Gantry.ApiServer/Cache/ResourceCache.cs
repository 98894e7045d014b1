using System.Text.Json.Nodes;
using Gantry.Storage;
using Microsoft.Extensions.Logging;

namespace Gantry.ApiServer.Cache;

/// <summary>
/// The watch cache of one stored resource (Kubernetes' "cacher"): a single store watch keeps an in-memory copy of
/// every object and a ring of recent events, so lists and all client watches are served from memory.
/// </summary>
public sealed partial class ResourceCache : IAsyncDisposable
{
    private readonly IStore _store;
    private readonly string _prefix;
    private readonly Func<JsonObject, IReadOnlyDictionary<string, string?>> _fields;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly SortedDictionary<string, CachedObject> _objects = new(StringComparer.Ordinal);
    private readonly CacheEvent?[] _ring;
    private readonly List<CacheWatcher> _watchers = [];
    private readonly CancellationTokenSource _stop = new();
    private int _ringStart;
    private int _ringCount;
    private long _revision;
    private long _oldestWatchable;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    /// <summary>Creates a cache over the keys under <paramref name="prefix"/>.</summary>
    public ResourceCache(IStore store, string prefix, Func<JsonObject, IReadOnlyDictionary<string, string?>> fields, int ringCapacity, ILogger logger)
    {
        _store = store;
        _prefix = prefix;
        _fields = fields;
        _logger = logger;
        _ring = new CacheEvent?[ringCapacity];
    }

    /// <summary>The revision the cache has caught up to.</summary>
    public long Revision => Volatile.Read(ref _revision);

    /// <summary>Loads the current objects and starts following the store.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var revision = await LoadAsync(cancellationToken);
        _loop = Task.Run(() => FollowAsync(revision, _stop.Token), CancellationToken.None);
    }

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        var list = await _store.ListAsync(_prefix, ListRequest.All, cancellationToken);
        lock (_lock)
        {
            _objects.Clear();
            foreach (var value in list.Items) _objects[value.Key] = ToCached(value, value.ModRevision);
            _ringStart = 0;
            _ringCount = 0;
            Array.Clear(_ring);
            foreach (var w in _watchers) w.Close(new StoreWatchOverflowException());
            _watchers.Clear();
            _oldestWatchable = list.Revision;
            SetRevision(list.Revision);
        }
        return list.Revision;
    }

    private async Task FollowAsync(long revision, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var events = _store.Watch(_prefix, revision, cancellationToken);
                while (await events.WaitToReadAsync(cancellationToken))
                {
                    while (events.TryRead(out var e))
                    {
                        Apply(e);
                        revision = e.Value.ModRevision;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Lost events (overflow or compaction): start over from a fresh list; watchers must relist too.
                LogRelist(_logger, _prefix, ex.Message);
                try { revision = await LoadAsync(cancellationToken); }
                catch (OperationCanceledException) { return; }
                catch (Exception inner) { LogRelist(_logger, _prefix, inner.Message); await Task.Delay(500, cancellationToken); }
            }
        }
    }

    private void Apply(StoreEvent e)
    {
        var current = ToCached(e.Value, e.Value.ModRevision);
        lock (_lock)
        {
            _objects.TryGetValue(e.Value.Key, out var previous);
            CacheEvent cacheEvent;
            if (e.Type == StoreEventType.Deleted)
            {
                _objects.Remove(e.Value.Key);
                cacheEvent = new CacheEvent(CacheEventType.Deleted, current, previous);
            }
            else
            {
                _objects[e.Value.Key] = current;
                cacheEvent = new CacheEvent(e.Type == StoreEventType.Created ? CacheEventType.Added : CacheEventType.Modified, current, previous);
            }
            Append(cacheEvent);
            foreach (var w in _watchers) w.Offer(cacheEvent);
            SetRevision(e.Value.ModRevision);
        }
    }

    private void Append(CacheEvent e)
    {
        if (_ringCount == _ring.Length)
        {
            _oldestWatchable = _ring[_ringStart]!.Revision;
            _ringStart = (_ringStart + 1) % _ring.Length;
            _ringCount--;
        }
        _ring[(_ringStart + _ringCount) % _ring.Length] = e;
        _ringCount++;
    }

    private void SetRevision(long revision)
    {
        Volatile.Write(ref _revision, revision);
        var old = _progress;
        _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    /// <summary>Waits until the cache has seen <paramref name="revision"/> (for consistent reads after writes).</summary>
    public async Task WaitForRevisionAsync(long revision, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_revision >= revision) return;
                wait = _progress.Task;
            }
            await wait.WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
        }
    }

    /// <summary>A point-in-time copy of the objects (of one namespace, or all), in key order, with its revision.</summary>
    public (List<CachedObject> Items, long Revision) Snapshot(string? keyPrefix)
    {
        lock (_lock)
        {
            var items = new List<CachedObject>(_objects.Count);
            foreach (var (key, value) in _objects)
            {
                if (keyPrefix is null || key.StartsWith(keyPrefix, StringComparison.Ordinal)) items.Add(value);
            }
            return (items, _revision);
        }
    }

    /// <summary>The newest version of one key as the cache has it.</summary>
    public CachedObject? Get(string key)
    {
        lock (_lock) return _objects.GetValueOrDefault(key);
    }

    /// <summary>
    /// Starts a watch receiving every event after <paramref name="afterRevision"/>; when that revision is older than
    /// the events kept, returns null (the client gets 410 Expired and relists). With <paramref name="initial"/> set the
    /// watcher first gets ADDED events for every current object (Kubernetes' resourceVersion "0" / unset semantics).
    /// </summary>
    public CacheWatcher? Watch(string? ns, long afterRevision, bool initial, int capacity)
    {
        lock (_lock)
        {
            var watcher = new CacheWatcher(ns, capacity + (initial ? _objects.Count : 0), Unregister);
            if (initial)
            {
                foreach (var obj in _objects.Values) watcher.Offer(new CacheEvent(CacheEventType.Added, obj, null));
            }
            else
            {
                if (afterRevision < _oldestWatchable) return null;
                for (var i = 0; i < _ringCount; i++)
                {
                    var e = _ring[(_ringStart + i) % _ring.Length]!;
                    if (e.Revision > afterRevision) watcher.Offer(e);
                }
            }
            _watchers.Add(watcher);
            return watcher;
        }
    }

    private void Unregister(CacheWatcher watcher)
    {
        lock (_lock) _watchers.Remove(watcher);
    }

    private CachedObject ToCached(StoredValue value, long revision) => CachedObject.From(value, revision, _fields);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lock)
        {
            foreach (var w in _watchers) w.Close();
            _watchers.Clear();
        }
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "watch cache {Prefix} relisting: {Reason}")]
    private static partial void LogRelist(ILogger logger, string prefix, string reason);
}
