using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Client.Informers;

/// <summary>
/// Keeps a local cache of one resource (optionally one namespace or selection) in step with the server: list, then watch
/// from the list's resourceVersion with bookmarks; a dropped or failed watch resumes from the last resourceVersion seen
/// (after a backoff when it failed), a 410 Expired or a failed list relists, delivering OnDelete for objects that
/// vanished meanwhile. Handlers
/// run one at a time, in event order, on the informer's own loop. Cached objects carry no metadata.managedFields, as
/// the informers of kube-controller-manager and kube-scheduler drop them: nothing reading a cache uses field ownership,
/// and an update sent from a cached object keeps the stored entries.
/// </summary>
public sealed class Informer<T> : IInformer where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan ShortWatch = TimeSpan.FromSeconds(1);
    // Events decoded ahead of the handlers: enough to keep both sides busy, little memory (pods of a few KiB each).
    private const int DecodedAhead = 256;
    private readonly IResourceClient<T> _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Lock _dispatchLock = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ResourceEventHandler<T>[] _handlers = [];
    private volatile string? _lastResourceVersion;
    private int _running;

    /// <summary>An informer over <paramref name="client"/>; call <see cref="RunAsync"/> (or let a factory start it).</summary>
    public Informer(IResourceClient<T> client, InformerOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Options = options ?? new InformerOptions();
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)loggers?.CreateLogger<Informer<T>>() ?? NullLogger.Instance;
        _name = client.Resource.Definition.Plural + (Options.FieldSelector is null ? "" : $"[{Options.FieldSelector}]")
            + (Options.LabelSelector is null ? "" : $"[{Options.LabelSelector}]");
    }

    /// <summary>What this informer watches.</summary>
    public InformerOptions Options { get; }

    /// <summary>The local cache (read-only objects: clone before changing).</summary>
    public ObjectCache<T> Cache { get; } = new();

    /// <inheritdoc />
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <inheritdoc />
    public string? LastSyncResourceVersion => _lastResourceVersion;

    /// <summary>Adds an index to the cache, e.g. pods by spec.nodeName.</summary>
    public void AddIndexer(string name, Func<T, IEnumerable<string>> indexFunc) => Cache.AddIndexer(name, indexFunc);

    /// <summary>The cached object, or null.</summary>
    public T? Get(string? ns, string name) => Cache.Get(ns, name);

    /// <summary>The cached objects of a namespace (all when null).</summary>
    public IReadOnlyList<T> List(string? ns = null) => Cache.List(ns);

    /// <summary>The cached objects an index maps <paramref name="value"/> to.</summary>
    public IReadOnlyList<T> ByIndex(string indexName, string value) => Cache.ByIndex(indexName, value);

    /// <summary>
    /// Registers callbacks; objects already cached are delivered to it as OnAdd first. Dispose the result to unregister.
    /// </summary>
    public IDisposable AddEventHandler(ResourceEventHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_dispatchLock)
        {
            if (handler.OnAdd is { } onAdd)
            {
                foreach (var obj in Cache.List()) Invoke(onAdd, obj);
            }
            _handlers = [.. _handlers, handler];
        }
        return new Registration(this, handler);
    }

    /// <summary>Registers callbacks given as delegates (see <see cref="AddEventHandler(ResourceEventHandler{T})"/>).</summary>
    public IDisposable AddEventHandler(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null) =>
        AddEventHandler(new ResourceEventHandler<T> { OnAdd = onAdd, OnUpdate = onUpdate, OnDelete = onDelete });

    /// <inheritdoc />
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException($"informer {_name} is already running");
        var resync = Options.ResyncPeriod is { } period && period > TimeSpan.Zero ? ResyncLoopAsync(period, cancellationToken) : Task.CompletedTask;
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        var needList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await RelistAsync(cancellationToken).ConfigureAwait(false);
                    needList = false;
                    backoff.Reset();
                }
                needList = !await WatchAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ApiClientException ex) when (ex.IsGone)
            {
                // Some servers refuse a too-old watch with an HTTP 410 instead of an ERROR event: relist at once all the same.
                InformerLog.WatchExpired(_logger, _name, ex.Message);
                needList = true;
            }
            catch (Exception ex)
            {
                var delay = backoff.Next();
                InformerLog.ListWatchFailed(_logger, _name, delay, ex);
                // A failed list is listed again; a watch that broke (connection lost, server too busy to answer)
                // resumes from the last resourceVersion, which the server's watch cache replays: only a 410 costs a
                // relist. Relisting on every broken watch made a busy server busier (a full list per hiccup) until
                // the lists themselves timed out.
                try { await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        }
        try { await resync.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    private async Task RelistAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(Options.Namespace, new ListOptions
        {
            LabelSelector = Options.LabelSelector,
            FieldSelector = Options.FieldSelector,
            Limit = Options.PageSize,
            OmitManagedFields = true,
        }, cancellationToken).ConfigureAwait(false);
        lock (_dispatchLock)
        {
            var (upserted, removed) = Cache.Replace(list.Items);
            foreach (var (old, current) in upserted) Notify(old, current);
            foreach (var gone in removed) NotifyDelete(gone);
            _lastResourceVersion = list.ResourceVersion;
        }
        _synced.TrySetResult();
    }

    /// <summary>Watches from the last resourceVersion; false when the server says it is too old (relist).</summary>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var events = 0;
        var options = new ListOptions
        {
            LabelSelector = Options.LabelSelector,
            FieldSelector = Options.FieldSelector,
            ResourceVersion = _lastResourceVersion,
            OmitManagedFields = true,
        };
        // The stream is read and decoded on its own task while this one applies events, as client-go's StreamWatcher
        // decodes on its own goroutine: decoding is half of an event's cost, and with thousands of pod events per second
        // one loop doing both fell tens of seconds behind the server.
        var decoded = Channel.CreateBounded<WatchEvent<T>>(new BoundedChannelOptions(DecodedAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(() => ReadAsync(options, decoded.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var e in decoded.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                events++;
                if (e.Type == WatchEventType.Error)
                {
                    var code = e.Status?.Code ?? 500;
                    if (code == (int)HttpStatusCode.Gone || e.Status?.Reason is "Expired" or "Gone")
                    {
                        InformerLog.WatchExpired(_logger, _name, e.Status?.Message);
                        return false;
                    }
                    throw new ApiClientException((HttpStatusCode)code, e.Status);
                }
                Apply(e);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        // A stream that closes at once with nothing in it is a failure (client-go's "very short watch"), not a reason to spin.
        if (events == 0 && _time.GetElapsedTime(started) < ShortWatch)
            throw new IOException($"watch of {_name} closed immediately");
        return true;
    }

    /// <summary>Reads one watch stream into <paramref name="decoded"/>, completing it with the stream's end or failure.</summary>
    private async Task ReadAsync(ListOptions options, ChannelWriter<WatchEvent<T>> decoded, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in _client.WatchAsync(Options.Namespace, options, allowBookmarks: true, cancellationToken).ConfigureAwait(false))
                await decoded.WriteAsync(e, cancellationToken).ConfigureAwait(false);
            decoded.TryComplete();
        }
        catch (Exception ex)
        {
            decoded.TryComplete(ex);
        }
    }

    private void Apply(WatchEvent<T> e)
    {
        lock (_dispatchLock)
        {
            switch (e.Type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    Notify(Cache.Upsert(e.Object!), e.Object!);
                    break;
                case WatchEventType.Deleted:
                    Cache.Remove(ObjectKey.Of(e.Object!));
                    NotifyDelete(e.Object!);
                    break;
            }
            if (e.ResourceVersion is not null) _lastResourceVersion = e.ResourceVersion;
        }
    }

    private async Task ResyncLoopAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        await _synced.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(period, _time, cancellationToken).ConfigureAwait(false);
            lock (_dispatchLock)
            {
                foreach (var obj in Cache.List()) Notify(obj, obj);
            }
        }
    }

    private void Notify(T? old, T current)
    {
        foreach (var handler in _handlers)
        {
            if (old is null) Invoke(handler.OnAdd, current);
            else if (handler.OnUpdate is { } onUpdate)
            {
                try { onUpdate(old, current); }
                catch (Exception ex) { InformerLog.HandlerFailed(_logger, _name, ex); }
            }
        }
    }

    private void NotifyDelete(T last)
    {
        foreach (var handler in _handlers) Invoke(handler.OnDelete, last);
    }

    private void Invoke(Action<T>? callback, T obj)
    {
        if (callback is null) return;
        try { callback(obj); }
        catch (Exception ex) { InformerLog.HandlerFailed(_logger, _name, ex); }
    }

    private void Remove(ResourceEventHandler<T> handler)
    {
        lock (_dispatchLock) _handlers = [.. _handlers.Where(h => !ReferenceEquals(h, handler))];
    }

    private sealed class Registration(Informer<T> informer, ResourceEventHandler<T> handler) : IDisposable
    {
        public void Dispose() => informer.Remove(handler);
    }
}
