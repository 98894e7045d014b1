namespace Gantry.Storage.Indexing;

/// <summary>
/// The newest version of every live key, kept in memory so reads at the newest revision never touch disk.
/// One writer mutates it (<see cref="Apply"/>); any number of readers query it under a short lock.
/// </summary>
internal sealed class LiveIndex
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredValue> _values = new(StringComparer.Ordinal);
    private readonly SortedKeys _keys = new();
    private long _revision;

    /// <summary>The revision the index reflects.</summary>
    public long Revision => Volatile.Read(ref _revision);

    /// <summary>Reads a key without locking; only the single writer may call this.</summary>
    public StoredValue? PeekFromWriter(string key) => _values.GetValueOrDefault(key);

    /// <summary>Reads a key.</summary>
    public StoredValue? Get(string key)
    {
        lock (_gate)
        {
            return _values.GetValueOrDefault(key);
        }
    }

    /// <summary>Applies committed changes (null value = deletion) and moves the index to <paramref name="revision"/>.</summary>
    public void Apply(IEnumerable<KeyValuePair<string, StoredValue?>> changes, long revision)
    {
        lock (_gate)
        {
            foreach (var (key, value) in changes)
            {
                Set(key, value);
            }
            Volatile.Write(ref _revision, revision);
        }
    }

    /// <summary>Applies one committed change.</summary>
    public void Apply(string key, StoredValue? value, long revision)
    {
        lock (_gate)
        {
            Set(key, value);
            Volatile.Write(ref _revision, revision);
        }
    }

    /// <summary>Lists live keys under a prefix, paged; <paramref name="atRevision"/> != 0 demands that exact revision.</summary>
    /// <returns>The page, or null when the index has moved past <paramref name="atRevision"/>.</returns>
    public ListResult? List(string prefix, ListRequest request, long atRevision)
    {
        lock (_gate)
        {
            if (atRevision != 0 && atRevision != _revision)
            {
                return null;
            }
            var items = new List<StoredValue>(request.Limit > 0 ? Math.Min(request.Limit, 1024) : 16);
            string? nextKey = null;
            long remaining = 0;
            foreach (var key in Range(prefix, request.StartKey))
            {
                if (request.Limit > 0 && items.Count == request.Limit)
                {
                    nextKey ??= key;
                    remaining++;
                    continue;
                }
                items.Add(_values[key]);
            }
            return new ListResult(items, _revision, nextKey, remaining);
        }
    }

    /// <summary>Counts live keys under a prefix.</summary>
    public long Count(string prefix) => Count(prefix, null).Count;

    /// <summary>Counts live keys under a prefix from <paramref name="startKey"/> on, with the revision counted at.</summary>
    public (long Count, long Revision) Count(string prefix, string? startKey)
    {
        lock (_gate)
        {
            long count = 0;
            foreach (var _ in Range(prefix, startKey))
            {
                count++;
            }
            return (count, _revision);
        }
    }

    private void Set(string key, StoredValue? value)
    {
        if (value is null)
        {
            if (_values.Remove(key))
            {
                _keys.Remove(key);
            }
        }
        else if (_values.TryAdd(key, value))
        {
            _keys.Add(key);
        }
        else
        {
            _values[key] = value;
        }
    }

    private IEnumerable<string> Range(string prefix, string? startKey) => _keys.WithPrefix(prefix, KeyRange.Start(prefix, startKey));
}
