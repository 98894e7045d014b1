using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Gantry.Storage;
using Gantry.Storage.Indexing;

namespace Gantry.ApiServer.Cache;

/// <summary>
/// The watch cache of one stored resource (Kubernetes' "cacher"): an in-memory copy of every object and a ring of
/// recent events, fed by <see cref="CacheSet"/>'s store watch, so lists and all client watches are served from memory.
/// Like Kubernetes' watch cache, the ring grows (doubling, up to its capacity) while the events it would drop are younger
/// than <see cref="EventFreshDuration"/>, and shrinks again once a quarter of it is older: under a burst of writes a
/// watcher that fell behind, or a client that just listed, can still resume from its revision instead of relisting.
/// </summary>
public sealed class ResourceCache
{
    private readonly IReadOnlyDictionary<string, Func<JsonObject, string?>> _fields;
    private readonly CacheClock _clock;
    private readonly object _lock = new();
    // Objects by key, and their keys in order for lists (a hash lookup per object is cheaper than a tree per change).
    private readonly Dictionary<string, CachedObject> _objects = new(StringComparer.Ordinal);
    private readonly SortedKeys _order = new();
    private readonly int _maxRing;
    private readonly int _minRing;
    private readonly TimeProvider _time;
    private CacheEvent?[] _ring;
    // When each ring slot's event was recorded (TimeProvider timestamps), for growing and shrinking.
    private long[] _ringTimes;
    private readonly List<CacheWatcher> _watchers = [];
    private readonly string? _indexedField;
    private readonly Dictionary<string, List<CacheWatcher>> _indexedWatchers = new(StringComparer.Ordinal);
    private int _ringStart;
    private int _ringCount;
    private long _revision;
    private long _oldestWatchable;
    private long _changes;

    /// <summary>
    /// Creates an empty cache of the keys under <paramref name="prefix"/>; watchers selecting one value of
    /// <paramref name="indexedField"/> (one of <paramref name="fields"/>) only receive objects carrying that value.
    /// </summary>
    public ResourceCache(string prefix, IReadOnlyDictionary<string, Func<JsonObject, string?>> fields, int ringCapacity, CacheClock clock,
        string? indexedField = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ringCapacity, 1);
        Prefix = prefix;
        _fields = fields;
        _indexedField = indexedField;
        _clock = clock;
        _time = time ?? TimeProvider.System;
        _maxRing = ringCapacity;
        _minRing = Math.Min(ringCapacity, MinRingCapacity);
        _ring = new CacheEvent?[_minRing];
        _ringTimes = new long[_minRing];
    }

    /// <summary>Kubernetes' eventFreshDuration: how long recent events should stay available to resuming watches.</summary>
    public static TimeSpan EventFreshDuration { get; } = TimeSpan.FromSeconds(75);

    // Kubernetes starts at 100; a little more keeps small clusters from resizing at all.
    private const int MinRingCapacity = 1024;

    /// <summary>How many events the ring holds now (between 1,024 or the capacity, and the capacity).</summary>
    internal int RingLength
    {
        get { lock (_lock) return _ring.Length; }
    }

    /// <summary>The key prefix of the resource.</summary>
    public string Prefix { get; }

    /// <summary>The revision every change of this resource is known up to.</summary>
    public long Revision
    {
        get { lock (_lock) return Math.Max(_revision, _clock.Revision); }
    }

    /// <summary>A counter that moves whenever the contents change (indexes derived from the cache rebuild when it moved).</summary>
    public long Changes => Volatile.Read(ref _changes);

    /// <summary>The cached object stored under <paramref name="key"/>, or null.</summary>
    public CachedObject? Get(string key)
    {
        lock (_lock) return _objects.GetValueOrDefault(key);
    }

    /// <summary>Waits until the cache has seen <paramref name="revision"/>.</summary>
    public Task WaitForRevisionAsync(long revision, CancellationToken cancellationToken) => _clock.WaitForAsync(revision, cancellationToken);

    /// <summary>Replaces the contents with a fresh list at <paramref name="revision"/>; open watches end (clients relist).</summary>
    internal void Load(IEnumerable<StoredValue> values, long revision)
    {
        lock (_lock)
        {
            _objects.Clear();
            _order.Clear();
            foreach (var value in values)
            {
                _objects[value.Key] = CachedObject.From(value, value.ModRevision, _fields, _indexedField);
                _order.Add(value.Key);
            }
            _ringStart = 0;
            _ringCount = 0;
            _ring = new CacheEvent?[_minRing];
            _ringTimes = new long[_minRing];
            foreach (var w in AllWatchers()) w.Close(new StoreWatchOverflowException());
            _watchers.Clear();
            _indexedWatchers.Clear();
            _oldestWatchable = revision;
            _revision = revision;
            _changes++;
        }
    }

    /// <summary>Applies one store change and fans it out to the watchers.</summary>
    internal void Apply(StoreEvent e)
    {
        var current = CachedObject.From(e.Value, e.Value.ModRevision, _fields, _indexedField);
        lock (_lock)
        {
            CachedObject? previous;
            CacheEvent cacheEvent;
            if (e.Type == StoreEventType.Deleted)
            {
                if (_objects.Remove(e.Value.Key, out previous)) _order.Remove(e.Value.Key);
                cacheEvent = new CacheEvent(CacheEventType.Deleted, current, previous);
            }
            else
            {
                // One hash lookup for both the previous version and the new one's slot.
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_objects, e.Value.Key, out var existed);
                previous = slot;
                slot = current;
                if (!existed) _order.Add(e.Value.Key);
                cacheEvent = new CacheEvent(e.Type == StoreEventType.Created ? CacheEventType.Added : CacheEventType.Modified, current, previous);
            }
            Append(cacheEvent);
            foreach (var w in _watchers) w.Offer(cacheEvent);
            if (_indexedWatchers.Count > 0) OfferIndexed(cacheEvent);
            _revision = e.Value.ModRevision;
            _changes++;
        }
    }

    /// <summary>
    /// Wakes the indexed watchers of the object's value and, when it changed, of its previous value (that watcher must
    /// see the object leave its selection).
    /// </summary>
    private void OfferIndexed(CacheEvent e)
    {
        var value = e.Object.Fields.GetValueOrDefault(_indexedField!) ?? "";
        if (_indexedWatchers.TryGetValue(value, out var current))
        {
            foreach (var w in current) w.Offer(e);
        }
        var previous = e.Previous?.Fields.GetValueOrDefault(_indexedField!) ?? "";
        if (previous != value && _indexedWatchers.TryGetValue(previous, out var before))
        {
            foreach (var w in before) w.Offer(e);
        }
    }

    private IEnumerable<CacheWatcher> AllWatchers() => _watchers.Concat(_indexedWatchers.Values.SelectMany(l => l));

    private void Append(CacheEvent e)
    {
        var now = _time.GetTimestamp();
        if (_ringCount == _ring.Length) Resize(now);
        if (_ringCount == _ring.Length)
        {
            _oldestWatchable = _ring[_ringStart]!.Revision;
            _ringStart = (_ringStart + 1) % _ring.Length;
            _ringCount--;
        }
        var slot = (_ringStart + _ringCount) % _ring.Length;
        _ring[slot] = e;
        _ringTimes[slot] = now;
        _ringCount++;
    }

    // Called with the ring full: double it when the oldest event is still fresh, halve it (keeping the newest events)
    // when even the event a quarter from the newest is stale.
    private void Resize(long now)
    {
        var length = _ring.Length;
        var capacity = length;
        if (_time.GetElapsedTime(_ringTimes[_ringStart], now) < EventFreshDuration) capacity = Math.Min(length * 2, _maxRing);
        else if (_time.GetElapsedTime(_ringTimes[(_ringStart + length - length / 4) % length], now) > EventFreshDuration) capacity = Math.Max(length / 2, _minRing);
        if (capacity == length) return;
        var ring = new CacheEvent?[capacity];
        var times = new long[capacity];
        var keep = Math.Min(_ringCount, capacity);
        var dropped = _ringCount - keep;
        if (dropped > 0) _oldestWatchable = _ring[(_ringStart + dropped - 1) % length]!.Revision;
        for (var i = 0; i < keep; i++)
        {
            var from = (_ringStart + dropped + i) % length;
            ring[i] = _ring[from];
            times[i] = _ringTimes[from];
        }
        _ring = ring;
        _ringTimes = times;
        _ringStart = 0;
        _ringCount = keep;
    }

    /// <summary>A point-in-time copy of the objects (of one namespace, or all), in key order, with its revision.</summary>
    public (List<CachedObject> Items, long Revision) Snapshot(string? keyPrefix)
    {
        lock (_lock)
        {
            var items = new List<CachedObject>(keyPrefix is null ? _objects.Count : 16);
            foreach (var key in keyPrefix is null ? _order.From("") : _order.WithPrefix(keyPrefix, keyPrefix)) items.Add(_objects[key]);
            return (items, Math.Max(_revision, _clock.Revision));
        }
    }

    /// <summary>
    /// Starts a watch receiving every event after <paramref name="afterRevision"/>; when that revision is older than
    /// the events kept, returns null (the client gets 410 Expired and relists). With <paramref name="initial"/> set the
    /// watcher first gets ADDED events for every current object (Kubernetes' resourceVersion "0" / unset semantics).
    /// A watcher whose field selector requires <paramref name="indexedValue"/> for the cache's indexed field passes it,
    /// and is then offered only the events of objects with that value (before or after the change).
    /// </summary>
    public CacheWatcher? Watch(string? ns, long afterRevision, bool initial, int capacity, string? indexedValue = null)
    {
        lock (_lock)
        {
            if (_indexedField is null) indexedValue = null;
            if (!initial && afterRevision < _oldestWatchable) return null;
            // Room for what is replayed on top of the live capacity, or a watcher resuming far back would be closed at once.
            var replayed = initial ? _objects.Count : _ringCount - FirstAfter(afterRevision);
            var watcher = new CacheWatcher(ns, capacity + replayed, Unregister, indexedValue, initial ? 0 : afterRevision);
            if (initial)
            {
                foreach (var key in _order.From("")) watcher.Offer(new CacheEvent(CacheEventType.Added, _objects[key], null));
            }
            else
            {
                for (var i = FirstAfter(afterRevision); i < _ringCount; i++) watcher.Offer(_ring[(_ringStart + i) % _ring.Length]!);
            }
            if (indexedValue is null)
            {
                _watchers.Add(watcher);
            }
            else
            {
                if (!_indexedWatchers.TryGetValue(indexedValue, out var list)) _indexedWatchers[indexedValue] = list = [];
                list.Add(watcher);
            }
            return watcher;
        }
    }

    // The ring position of the first event after the revision (events are in revision order): a binary search.
    private int FirstAfter(long revision)
    {
        int lo = 0, hi = _ringCount;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_ring[(_ringStart + mid) % _ring.Length]!.Revision > revision) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private void Unregister(CacheWatcher watcher)
    {
        lock (_lock)
        {
            if (watcher.IndexedValue is null)
            {
                _watchers.Remove(watcher);
            }
            else if (_indexedWatchers.TryGetValue(watcher.IndexedValue, out var list))
            {
                list.Remove(watcher);
                if (list.Count == 0) _indexedWatchers.Remove(watcher.IndexedValue);
            }
        }
    }

    /// <summary>Ends every watch (server shutdown).</summary>
    internal void CloseWatchers()
    {
        lock (_lock)
        {
            foreach (var w in AllWatchers()) w.Close();
            _watchers.Clear();
            _indexedWatchers.Clear();
        }
    }
}
