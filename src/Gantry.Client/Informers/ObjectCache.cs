using k8s;
using k8s.Models;

namespace Gantry.Client.Informers;

/// <summary>
/// A thread-safe local store of objects keyed by <see cref="ObjectKey"/>, with named indexes (the namespace index is
/// built in). Objects handed out are shared with every reader: treat them as read-only and clone before changing.
/// An informer fills it; unit tests may fill one directly.
/// </summary>
public sealed class ObjectCache<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The built-in index of objects by namespace.</summary>
    public const string NamespaceIndex = "namespace";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indices = new(StringComparer.Ordinal);

    /// <summary>An empty cache with the namespace index.</summary>
    public ObjectCache() => AddIndexer(NamespaceIndex, o => o.Metadata?.NamespaceProperty is { Length: > 0 } ns ? [ns] : []);

    /// <summary>Number of objects.</summary>
    public int Count
    {
        get { lock (_lock) return _items.Count; }
    }

    /// <summary>Adds a named index (e.g. pods by spec.nodeName, objects by owner uid); existing objects are indexed at once.</summary>
    public void AddIndexer(string name, Func<T, IEnumerable<string>> indexFunc)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(indexFunc);
        lock (_lock)
        {
            if (!_indexers.TryAdd(name, indexFunc)) throw new InvalidOperationException($"indexer {name} already exists");
            var index = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            _indices[name] = index;
            foreach (var (key, obj) in _items) AddToIndex(index, indexFunc, key, obj);
        }
    }

    /// <summary>Whether an index of that name exists.</summary>
    public bool HasIndexer(string name)
    {
        lock (_lock) return _indexers.ContainsKey(name);
    }

    /// <summary>The object with that key, or null.</summary>
    public T? Get(string key)
    {
        lock (_lock) return _items.GetValueOrDefault(key);
    }

    /// <summary>The object with that namespace and name, or null.</summary>
    public T? Get(string? ns, string name) => Get(ObjectKey.Of(ns, name));

    /// <summary>Every object.</summary>
    public IReadOnlyList<T> List()
    {
        lock (_lock) return [.. _items.Values];
    }

    /// <summary>Every object in a namespace (all when null).</summary>
    public IReadOnlyList<T> List(string? ns) => ns is null ? List() : ByIndex(NamespaceIndex, ns);

    /// <summary>Every key.</summary>
    public IReadOnlyList<string> Keys()
    {
        lock (_lock) return [.. _items.Keys];
    }

    /// <summary>The objects whose index function returned <paramref name="value"/>.</summary>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            var keys = Index(indexName).GetValueOrDefault(value);
            if (keys is null) return [];
            var result = new List<T>(keys.Count);
            foreach (var key in keys) result.Add(_items[key]);
            return result;
        }
    }

    /// <summary>The keys of the objects whose index function returned <paramref name="value"/>.</summary>
    public IReadOnlyList<string> IndexKeys(string indexName, string value)
    {
        lock (_lock) return Index(indexName).GetValueOrDefault(value) is { } keys ? [.. keys] : [];
    }

    /// <summary>Adds or replaces an object; returns the one it replaced.</summary>
    public T? Upsert(T obj)
    {
        var key = ObjectKey.Of(obj);
        lock (_lock)
        {
            var old = _items.GetValueOrDefault(key);
            if (old is not null) RemoveFromIndices(key, old);
            _items[key] = obj;
            foreach (var (name, func) in _indexers) AddToIndex(_indices[name], func, key, obj);
            return old;
        }
    }

    /// <summary>Removes an object by key; returns it, or null when absent.</summary>
    public T? Remove(string key)
    {
        lock (_lock)
        {
            if (!_items.Remove(key, out var old)) return null;
            RemoveFromIndices(key, old);
            return old;
        }
    }

    /// <summary>
    /// Replaces the whole content (a relist). Returns, for each new object, the object it replaced (null when added),
    /// and the objects that are gone.
    /// </summary>
    public (IReadOnlyList<(T? Old, T New)> Upserted, IReadOnlyList<T> Removed) Replace(IEnumerable<T> objects)
    {
        lock (_lock)
        {
            var upserted = new List<(T?, T)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var obj in objects)
            {
                seen.Add(ObjectKey.Of(obj));
                upserted.Add((Upsert(obj), obj));
            }
            var removed = new List<T>();
            foreach (var key in _items.Keys.Where(k => !seen.Contains(k)).ToList()) removed.Add(Remove(key)!);
            return (upserted, removed);
        }
    }

    private Dictionary<string, HashSet<string>> Index(string name) =>
        _indices.GetValueOrDefault(name) ?? throw new KeyNotFoundException($"no indexer named {name}");

    private static void AddToIndex(Dictionary<string, HashSet<string>> index, Func<T, IEnumerable<string>> func, string key, T obj)
    {
        foreach (var value in func(obj))
        {
            if (!index.TryGetValue(value, out var keys)) index[value] = keys = new HashSet<string>(StringComparer.Ordinal);
            keys.Add(key);
        }
    }

    private void RemoveFromIndices(string key, T obj)
    {
        foreach (var (name, func) in _indexers)
        {
            var index = _indices[name];
            foreach (var value in func(obj))
            {
                if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0) index.Remove(value);
            }
        }
    }
}
