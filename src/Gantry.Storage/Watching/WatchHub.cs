using System.Threading.Channels;

namespace Gantry.Storage.Watching;

/// <summary>
/// Fans committed events out to watchers. Registration and publication share one lock, so a new watcher
/// knows exactly which revision live delivery starts after and replays everything older from history:
/// no gap, no duplicate.
/// </summary>
internal sealed class WatchHub(long publishedRevision, int capacity)
{
    private readonly Lock _gate = new();
    private Watcher[] _watchers = [];
    private long _published = publishedRevision;
    private bool _closed;

    /// <summary>How many watchers are open (for tests and metrics).</summary>
    public int Count => Volatile.Read(ref _watchers).Length;

    /// <summary>Opens a watch; history older than the newest published revision comes from <paramref name="replay"/>.</summary>
    public ChannelReader<StoreEvent> Watch(string prefix, long afterRevision, HistoryReplay replay, CancellationToken cancellationToken)
    {
        Watcher watcher;
        long upTo;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            upTo = _published;
            watcher = new Watcher(this, prefix, Math.Max(afterRevision, upTo), capacity, replaying: afterRevision < upTo);
            _watchers = [.. _watchers, watcher];
        }
        watcher.Start(afterRevision < upTo ? replay(prefix, afterRevision, upTo, cancellationToken) : null, cancellationToken);
        return watcher.Reader;
    }

    /// <summary>Delivers one committed batch, in revision order. Callers publish one batch at a time.</summary>
    public void Publish(IReadOnlyList<StoreEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            _published = events[^1].Value.ModRevision;
            var dropped = false;
            foreach (var watcher in _watchers)
            {
                dropped |= !watcher.Deliver(events);
            }
            if (dropped)
            {
                _watchers = Array.FindAll(_watchers, w => !w.IsClosed);
            }
        }
    }

    /// <summary>Ends every watch (the store is closing).</summary>
    public void CloseAll()
    {
        Watcher[] watchers;
        lock (_gate)
        {
            _closed = true;
            watchers = _watchers;
        }
        foreach (var watcher in watchers)
        {
            watcher.Close(null);
        }
    }

    /// <summary>Forgets a closed watcher.</summary>
    public void Remove(Watcher watcher)
    {
        lock (_gate)
        {
            _watchers = Array.FindAll(_watchers, w => w != watcher);
        }
    }
}
