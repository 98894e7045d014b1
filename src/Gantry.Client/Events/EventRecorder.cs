using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Client.Events;

/// <summary>
/// Writes core/v1 Events about objects, as client-go's recorder does: the same (object, type, reason, message) seen again
/// within 10 minutes patches the existing Event (count + 1, lastTimestamp) instead of creating another; new Events are
/// named &lt;object name&gt;.&lt;hex nanoseconds&gt;. <see cref="Record"/> never blocks: writes happen in the background,
/// several at once (client-go's broadcaster writes each event from its own goroutine; writes of the same event stay in
/// order, so repeats are counted), and are dropped (as Kubernetes does) when 1000 are already waiting.
/// </summary>
public sealed partial class EventRecorder : IAsyncDisposable
{
    private static readonly TimeSpan AggregationWindow = TimeSpan.FromMinutes(10);
    private const int MaxCachedKeys = 4096;
    // Enough to keep a scheduler's "Scheduled" events flowing at thousands per second over one connection's round trips.
    private const int MaxConcurrentWrites = 16;
    private readonly IResourceClient<Corev1Event> _events;
    private readonly string _component;
    private readonly string? _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentWrites, MaxConcurrentWrites);
    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);
    // The last write of each event key in flight: the next write of that key waits for it.
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(1000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly Task _worker;
    private long _lastNameNanos;
    private int _dropping;

    /// <summary>A recorder for <paramref name="component"/> (source.component and reportingComponent) on <paramref name="host"/>.</summary>
    public EventRecorder(IApiClient client, string component, string? host = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(component);
        _events = client.For<Corev1Event>();
        _component = component;
        _host = host;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)loggers?.CreateLogger<EventRecorder>() ?? NullLogger.Instance;
        _worker = Task.Run(DrainAsync);
    }

    /// <summary>Queues an event about <paramref name="obj"/> (type <see cref="EventTypes"/>, reason in CamelCase).</summary>
    public void Record(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (_pending.Writer.TryWrite(new Pending(obj, type, reason, message)))
        {
            Volatile.Write(ref _dropping, 0);
        }
        else if (Interlocked.Exchange(ref _dropping, 1) == 0)
        {
            // Once per overflow: logging every dropped event would add to the load that caused the drops.
            LogDropped(_logger, reason, obj.Metadata?.Name);
        }
    }

    /// <summary>Queues a Normal event.</summary>
    public void Normal(IKubernetesObject<V1ObjectMeta> obj, string reason, string message) => Record(obj, EventTypes.Normal, reason, message);

    /// <summary>Queues a Warning event.</summary>
    public void Warning(IKubernetesObject<V1ObjectMeta> obj, string reason, string message) => Record(obj, EventTypes.Warning, reason, message);

    /// <summary>Writes an event now (creating it or counting a repeat) and returns it as stored.</summary>
    public async Task<Corev1Event> RecordAsync(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obj?.Metadata);
        var involved = Reference(obj);
        var ns = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty;
        var key = string.Join('\u0000', _component, _host, involved.ApiVersion, involved.Kind, involved.NamespaceProperty, involved.Name, involved.Uid,
            type, reason, message);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_gate)
        {
            previous = _tails.GetValueOrDefault(key) ?? Task.CompletedTask;
            _tails[key] = done.Task;
        }
        try
        {
            await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            Seen? seen;
            lock (_gate) seen = _seen.GetValueOrDefault(key);
            if (seen is not null && now - seen.Last < AggregationWindow)
            {
                try
                {
                    var patched = await _events.PatchAsync(seen.Namespace, seen.Name, PatchType.StrategicMerge,
                        new Corev1Event { Count = seen.Count + 1, LastTimestamp = now.UtcDateTime, Message = message }, cancellationToken: cancellationToken).ConfigureAwait(false);
                    lock (_gate) _seen[key] = seen with { Count = patched.Count ?? seen.Count + 1, Last = now };
                    return patched;
                }
                catch (ApiClientException ex) when (ex.IsNotFound)
                {
                    // Someone deleted it (or the TTL did): start a new one.
                }
            }
            long nanos;
            lock (_gate) nanos = UniqueNanos(now);
            var created = await _events.CreateAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = $"{involved.Name}.{nanos:x}", NamespaceProperty = ns },
                InvolvedObject = involved,
                Type = type,
                Reason = reason,
                Message = message,
                Count = 1,
                FirstTimestamp = now.UtcDateTime,
                LastTimestamp = now.UtcDateTime,
                Source = new V1EventSource { Component = _component, Host = _host },
                ReportingComponent = _component,
                ReportingInstance = _host ?? "",
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            lock (_gate) Remember(key, new Seen(created.Metadata.Name, ns, 1, now), now);
            return created;
        }
        finally
        {
            lock (_gate)
            {
                if (_tails.TryGetValue(key, out var tail) && tail == done.Task) _tails.Remove(key);
            }
            done.SetResult();
        }
    }

    /// <summary>Unix nanoseconds of now, bumped past the last name's so two events in one clock tick get distinct names.</summary>
    private long UniqueNanos(DateTimeOffset now)
    {
        _lastNameNanos = Math.Max((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100, _lastNameNanos + 1);
        return _lastNameNanos;
    }

    private void Remember(string key, Seen seen, DateTimeOffset now)
    {
        if (_seen.Count >= MaxCachedKeys && !_seen.ContainsKey(key))
        {
            foreach (var stale in _seen.Where(e => now - e.Value.Last >= AggregationWindow).Select(e => e.Key).ToList()) _seen.Remove(stale);
            // Still full: forget the oldest quarter at once, so a steady stream of new events does not scan the cache
            // on every write.
            if (_seen.Count >= MaxCachedKeys)
            {
                foreach (var oldest in _seen.OrderBy(e => e.Value.Last).Take(MaxCachedKeys / 4).Select(e => e.Key).ToList()) _seen.Remove(oldest);
            }
        }
        _seen[key] = seen;
    }

    private static V1ObjectReference Reference(IKubernetesObject<V1ObjectMeta> obj)
    {
        var type = obj.GetType();
        var group = ModelConstants.Read(type, "KubeGroup");
        var version = ModelConstants.Read(type, "KubeApiVersion");
        return new V1ObjectReference
        {
            ApiVersion = obj.ApiVersion ?? (string.IsNullOrEmpty(group) ? version : $"{group}/{version}"),
            Kind = obj.Kind ?? ModelConstants.Read(type, "KubeKind"),
            Name = obj.Metadata.Name,
            NamespaceProperty = obj.Metadata.NamespaceProperty,
            Uid = obj.Metadata.Uid,
            ResourceVersion = obj.Metadata.ResourceVersion,
        };
    }

    private async Task DrainAsync()
    {
        await foreach (var e in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await _slots.WaitAsync().ConfigureAwait(false);
            _ = WriteAsync(e);
        }
        // Wait for the writes still in flight.
        for (var i = 0; i < MaxConcurrentWrites; i++) await _slots.WaitAsync().ConfigureAwait(false);
    }

    private async Task WriteAsync(Pending e)
    {
        try { await RecordAsync(e.Object, e.Type, e.Reason, e.Message).ConfigureAwait(false); }
        catch (Exception ex) { LogWriteFailed(_logger, e.Reason, e.Object.Metadata?.Name, ex); }
        finally { _slots.Release(); }
    }

    /// <summary>Writes the events still queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
        _slots.Dispose();
    }

    private sealed record Pending(IKubernetesObject<V1ObjectMeta> Object, string Type, string Reason, string Message);

    private sealed record Seen(string Name, string Namespace, int Count, DateTimeOffset Last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "event {Reason} about {Name} dropped: too many events waiting")]
    private static partial void LogDropped(ILogger logger, string reason, string? name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "writing event {Reason} about {Name} failed")]
    private static partial void LogWriteFailed(ILogger logger, string reason, string? name, Exception exception);
}
