using System.Threading.Channels;

namespace Gantry.Storage.Watching;

/// <summary>
/// One watch: a bounded channel fed by history replay first, then by live publication. Live events that
/// arrive during the replay wait in a pending list, so the reader sees one ordered stream.
/// </summary>
internal sealed class Watcher
{
    private readonly Lock _gate = new();
    private readonly WatchHub _hub;
    private readonly string _prefix;
    private readonly long _liveAfter;
    private readonly int _capacity;
    private readonly Channel<StoreEvent> _channel;
    private List<StoreEvent>? _pending;
    private bool _closed;
    private CancellationTokenRegistration _registration;

    public Watcher(WatchHub hub, string prefix, long liveAfter, int capacity, bool replaying)
    {
        _hub = hub;
        _prefix = prefix;
        _liveAfter = liveAfter;
        _capacity = capacity;
        _channel = Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        _pending = replaying ? [] : null;
    }

    /// <summary>The events of this watch.</summary>
    public ChannelReader<StoreEvent> Reader => _channel.Reader;

    /// <summary>Whether the watch has ended.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>Begins the replay (if any) and ties the watch's life to the token.</summary>
    public void Start(IAsyncEnumerable<StoreEvent>? replay, CancellationToken cancellationToken)
    {
        _registration = cancellationToken.Register(static state => ((Watcher)state!).Close(null), this);
        if (replay is not null)
        {
            _ = PumpAsync(replay, cancellationToken);
        }
    }

    /// <summary>Queues the matching events of a committed batch; returns false when the watcher is (now) closed.</summary>
    public bool Deliver(IReadOnlyList<StoreEvent> events)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (e.Value.ModRevision <= _liveAfter || !e.Value.Key.StartsWith(_prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                var accepted = _pending is null ? _channel.Writer.TryWrite(e) : TryAddPending(e);
                if (!accepted)
                {
                    // A reader this far behind would only fall further; it must relist, as Kubernetes clients do.
                    _closed = true;
                    _pending = null;
                    _channel.Writer.TryComplete(new StoreWatchOverflowException());
                    _registration.Unregister();
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Ends the watch, with an error for the reader or normally.</summary>
    public void Close(Exception? error)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _pending = null;
        }
        _channel.Writer.TryComplete(error);
        _registration.Unregister();
        _hub.Remove(this);
    }

    private bool TryAddPending(StoreEvent e)
    {
        if (_pending!.Count >= _capacity)
        {
            return false;
        }
        _pending.Add(e);
        return true;
    }

    private async Task PumpAsync(IAsyncEnumerable<StoreEvent> replay, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in replay.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await _channel.Writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
            }
            while (true)
            {
                List<StoreEvent> batch;
                lock (_gate)
                {
                    if (_closed)
                    {
                        return;
                    }
                    if (_pending!.Count == 0)
                    {
                        _pending = null;
                        return;
                    }
                    batch = _pending;
                    _pending = [];
                }
                foreach (var e in batch)
                {
                    await _channel.Writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Close(null);
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }
}
