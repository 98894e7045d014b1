using System.Threading.Channels;

namespace Gantry.ApiServer.Cache;

/// <summary>One client's watch on a resource cache: a bounded queue of events, closed when the client is too slow.</summary>
public sealed class CacheWatcher : IDisposable
{
    private readonly Channel<CacheEvent> _channel;
    private readonly Action<CacheWatcher> _unregister;

    private readonly long _afterRevision;

    internal CacheWatcher(string? ns, int capacity, Action<CacheWatcher> unregister, string? indexedValue = null, long afterRevision = 0)
    {
        Namespace = ns;
        _afterRevision = afterRevision;
        IndexedValue = indexedValue;
        _unregister = unregister;
        _channel = Channel.CreateBounded<CacheEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    /// <summary>The namespace the watch is limited to, or null for all.</summary>
    public string? Namespace { get; }

    /// <summary>The value of the cache's indexed field this watcher selects, or null when it sees every object.</summary>
    public string? IndexedValue { get; }

    /// <summary>The events, in revision order. Completes with an error when the watcher fell behind.</summary>
    public ChannelReader<CacheEvent> Events => _channel.Reader;

    /// <summary>
    /// True while the watch is open and every event offered so far has been read. A revision the cache reported before
    /// this is true is then a safe bookmark; after the queue overflowed, events after the last one queued were never
    /// offered, and a bookmark past them would make the client resume beyond events it never got.
    /// </summary>
    internal bool CaughtUp => _channel.Reader.Count == 0 && !_channel.Reader.Completion.IsCompleted;

    /// <summary>Queues an event; when the queue is full the watch ends (the client will relist, as with Kubernetes).</summary>
    internal void Offer(CacheEvent e)
    {
        if (Namespace is not null && e.Object.Namespace != Namespace) return;
        // A watch from a revision the cache has not applied yet must not get that revision's own event when it arrives.
        if (e.Revision <= _afterRevision) return;
        if (!_channel.Writer.TryWrite(e)) _channel.Writer.TryComplete(new InvalidOperationException("watcher fell behind"));
    }

    internal void Close(Exception? error = null) => _channel.Writer.TryComplete(error);

    /// <summary>Stops receiving events.</summary>
    public void Dispose()
    {
        _unregister(this);
        _channel.Writer.TryComplete();
    }
}
