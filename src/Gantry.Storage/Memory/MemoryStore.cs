using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Gantry.Storage.Indexing;
using Gantry.Storage.Watching;

namespace Gantry.Storage.Memory;

/// <summary>
/// An in-memory <see cref="IStore"/> with full MVCC history, compaction and watch; for tests and simulations.
/// Older revisions are rebuilt by undoing recorded events from the newest state backwards.
/// </summary>
public sealed class MemoryStore : IStore
{
    /// <summary>Events a watcher may lag behind before it is dropped.</summary>
    public const int DefaultWatchCapacity = 10_000;

    private readonly Lock _gate = new();
    private readonly LiveIndex _index = new();
    private readonly List<StoreEvent> _history = [];
    private readonly WatchHub _hub;
    private readonly StoreEvent[] _single = new StoreEvent[1];
    private long _compacted;
    private bool _disposed;

    /// <summary>Creates an empty store.</summary>
    /// <param name="watchCapacity">Events a watcher may lag behind before it is dropped.</param>
    public MemoryStore(int watchCapacity = DefaultWatchCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(watchCapacity, 1);
        _hub = new WatchHub(0, watchCapacity);
    }

    /// <inheritdoc />
    public long CurrentRevision => _index.Revision;

    /// <inheritdoc />
    public long CompactedRevision => Volatile.Read(ref _compacted);

    /// <inheritdoc />
    public ValueTask<StoredValue?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_index.Get(key));

    /// <inheritdoc />
    public ValueTask<long> CountAsync(string prefix, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_index.Count(prefix));

    /// <inheritdoc />
    public ValueTask<ListResult> ListAsync(string prefix, ListRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            WriteRules.CheckReadRevision(request.Revision, _compacted, _index.Revision);
            if (_index.List(prefix, request, request.Revision) is { } newest)
            {
                return ValueTask.FromResult(newest);
            }
            return ValueTask.FromResult(ListAt(prefix, request));
        }
    }

    /// <inheritdoc />
    public ValueTask<StoredValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        Write(WriteKind.Create, key, value.ToArray(), 0);

    /// <inheritdoc />
    public ValueTask<StoredValue> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken = default) =>
        Write(WriteKind.Update, key, value.ToArray(), expectedRevision);

    /// <inheritdoc />
    public ValueTask<StoredValue> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken = default) =>
        Write(WriteKind.Delete, key, [], expectedRevision);

    /// <inheritdoc />
    public ChannelReader<StoreEvent> Watch(string prefix, long afterRevision, CancellationToken cancellationToken)
    {
        var compacted = CompactedRevision;
        if (afterRevision < compacted)
        {
            throw new StoreCompactedException(afterRevision, compacted);
        }
        return _hub.Watch(prefix, afterRevision, ReplayAsync, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(revision, _index.Revision);
            if (revision <= _compacted)
            {
                return ValueTask.CompletedTask;
            }
            var keep = FirstAfter(revision);
            _history.RemoveRange(0, keep);
            Volatile.Write(ref _compacted, revision);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }
        _hub.CloseAll();
        return ValueTask.CompletedTask;
    }

    private ValueTask<StoredValue> Write(WriteKind kind, string key, byte[] value, long expectedRevision)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _index.PeekFromWriter(key);
            if (WriteRules.Check(kind, key, current, expectedRevision) is { } failure)
            {
                return ValueTask.FromException<StoredValue>(failure);
            }
            var revision = _index.Revision + 1;
            var e = WriteRules.ToEvent(kind, key, value, current, revision);
            _history.Add(e);
            _index.Apply(key, kind == WriteKind.Delete ? null : e.Value, revision);
            _single[0] = e;
            _hub.Publish(_single);
            return ValueTask.FromResult(e.Value);
        }
    }

    /// <summary>Rebuilds a page at an older revision by undoing newer events; caller holds the lock.</summary>
    private ListResult ListAt(string prefix, ListRequest request)
    {
        var state = new SortedDictionary<string, StoredValue>(StringComparer.Ordinal);
        foreach (var item in _index.List(prefix, ListRequest.All, 0)!.Items)
        {
            state[item.Key] = item;
        }
        for (var i = _history.Count - 1; i >= 0 && _history[i].Value.ModRevision > request.Revision; i--)
        {
            var e = _history[i];
            if (!e.Value.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            if (e.Previous is null)
            {
                state.Remove(e.Value.Key);
            }
            else
            {
                state[e.Value.Key] = e.Previous;
            }
        }
        var start = KeyRange.Start(prefix, request.StartKey);
        var page = state.Values.Where(v => string.CompareOrdinal(v.Key, start) >= 0).ToList();
        if (request.Limit <= 0 || page.Count <= request.Limit)
        {
            return new ListResult(page, request.Revision, null, 0);
        }
        return new ListResult(page[..request.Limit], request.Revision, page[request.Limit].Key, page.Count - request.Limit);
    }

    private async IAsyncEnumerable<StoreEvent> ReplayAsync(
        string prefix, long afterRevision, long upToRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Copy the history off the caller's thread: Watch must return before a long replay finishes.
        await Task.Yield();
        List<StoreEvent> events;
        lock (_gate)
        {
            if (afterRevision < _compacted)
            {
                throw new StoreCompactedException(afterRevision, _compacted);
            }
            events = [];
            for (var i = FirstAfter(afterRevision); i < _history.Count && _history[i].Value.ModRevision <= upToRevision; i++)
            {
                if (_history[i].Value.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    events.Add(_history[i]);
                }
            }
        }
        foreach (var e in events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return e;
        }
    }

    /// <summary>The index in the history of the first event newer than <paramref name="revision"/>.</summary>
    private int FirstAfter(long revision)
    {
        int low = 0, high = _history.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_history[mid].Value.ModRevision <= revision)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }
}
