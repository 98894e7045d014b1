using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Informers;

/// <summary>
/// Hands out one shared <see cref="Informer{T}"/> per (type, namespace, label selector, field selector), so every
/// controller in a process watching pods shares one watch and one cache. Informers asked for after
/// <see cref="Start"/> start at once.
/// </summary>
public sealed class SharedInformerFactory : IAsyncDisposable
{
    private readonly IApiClient _client;
    private readonly TimeSpan _defaultResync;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory? _loggers;
    private readonly Lock _lock = new();
    private readonly Dictionary<(Type, string?, string?, string?), IInformer> _informers = [];
    private readonly List<Task> _runs = [];
    private CancellationTokenSource? _stop;

    /// <summary>A factory over <paramref name="client"/>; <paramref name="defaultResync"/> zero = no periodic resync.</summary>
    public SharedInformerFactory(IApiClient client, TimeSpan defaultResync = default, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _defaultResync = defaultResync;
        _time = time ?? TimeProvider.System;
        _loggers = loggers;
    }

    /// <summary>The shared informer of <typeparamref name="T"/> for that namespace and selection.</summary>
    public Informer<T> For<T>(InformerOptions? options = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        options ??= new InformerOptions();
        var key = (typeof(T), options.Namespace, options.LabelSelector, options.FieldSelector);
        lock (_lock)
        {
            if (_informers.TryGetValue(key, out var existing)) return (Informer<T>)existing;
            var informer = new Informer<T>(_client.For<T>(), options with { ResyncPeriod = options.ResyncPeriod ?? _defaultResync }, _time, _loggers);
            _informers.Add(key, informer);
            if (_stop is not null) _runs.Add(Run(informer, _stop.Token));
            return informer;
        }
    }

    /// <summary>Starts every informer asked for so far (and, from now on, each new one).</summary>
    public void Start(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_stop is not null) return;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            foreach (var informer in _informers.Values) _runs.Add(Run(informer, _stop.Token));
        }
    }

    /// <summary>Waits until every informer asked for so far has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return Task.WhenAll(_informers.Values.Select(i => i.WaitForSyncAsync(cancellationToken)));
    }

    private static Task Run(IInformer informer, CancellationToken token) => Task.Run(() => informer.RunAsync(token), CancellationToken.None);

    /// <summary>Stops every informer and waits for them to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] runs;
        lock (_lock)
        {
            _stop?.Cancel();
            runs = [.. _runs];
        }
        await Task.WhenAll(runs).ConfigureAwait(false);
        _stop?.Dispose();
    }
}
