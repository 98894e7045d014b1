using System.Net;
using System.Threading.Channels;
using ARSoft.Tools.Net.Dns;
using Gantry.Client.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Network.Dns;

/// <summary>
/// The cluster DNS server, as CoreDNS's kubernetes plugin with k3s's Corefile serves it: the Kubernetes DNS
/// specification's names for Services, EndpointSlices and pods (insecure mode), PTRs for cluster and endpoint IPs,
/// everything else forwarded to the upstream servers of a resolv.conf and cached. Fed by shared informers (Services,
/// EndpointSlices, Namespaces), never by API calls per query; listens over UDP and TCP with ARSoft.Tools.Net.
/// </summary>
public sealed class ClusterDnsServer : IAsyncDisposable
{
    private const int TcpIdleTimeoutMs = 10_000;
    private const int WireCacheCapacity = 50_000;

    private readonly ClusterDnsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly Informer<V1Namespace> _namespaces;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _handlers = [];
    private readonly WireAnswerCache _answers = new(WireCacheCapacity);
    private DnsZone _zone;
    private ClusterResolver? _resolver;
    private DnsServer? _server;
    private Task _rebuilds = Task.CompletedTask;

    /// <summary>A server over <paramref name="informers"/> (shared with the rest of the agent); call <see cref="StartAsync"/>.</summary>
    public ClusterDnsServer(SharedInformerFactory informers, ClusterDnsOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(informers);
        _options = options ?? new ClusterDnsOptions();
        _time = time ?? TimeProvider.System;
        _log = (loggers ?? NullLoggerFactory.Instance).CreateLogger<ClusterDnsServer>();
        _services = informers.For<V1Service>();
        _slices = informers.For<V1EndpointSlice>();
        _namespaces = informers.For<V1Namespace>();
        _zone = BuildZone();
    }

    /// <summary>The upstream servers questions outside the cluster domain go to (known after <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<IPAddress> Upstreams { get; private set; } = [];

    /// <summary>
    /// Waits for the informer caches, then listens. The factory's owner starts the factory (before or after this
    /// call): the informers outlive this server.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _handlers.Add(_services.AddEventHandler(_ => Changed(), (_, _) => Changed(), _ => Changed()));
        _handlers.Add(_slices.AddEventHandler(_ => Changed(), (_, _) => Changed(), _ => Changed()));
        _handlers.Add(_namespaces.AddEventHandler(_ => Changed(), (_, _) => Changed(), _ => Changed()));
        await Task.WhenAll(_services.WaitForSyncAsync(cancellationToken), _slices.WaitForSyncAsync(cancellationToken),
            _namespaces.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
        Volatile.Write(ref _zone, BuildZone());
        _rebuilds = Task.Run(() => RebuildLoopAsync(_stop.Token), CancellationToken.None);

        Upstreams = UpstreamForwarder.ServersFrom(_options.ResolvConfPath, _options);
        _resolver = new ClusterResolver(() => Volatile.Read(ref _zone), new UpstreamForwarder(Upstreams, _options, _time, _log));
        var transports = new List<IServerTransport>();
        foreach (var address in _options.ListenAddresses)
        {
            var endpoint = new IPEndPoint(address, _options.Port);
            transports.AddRange(SharedUdpServerTransport.Create(endpoint, Math.Max(2, Environment.ProcessorCount), _answers));
            transports.Add(new TcpServerTransport(endpoint, TcpIdleTimeoutMs, TcpIdleTimeoutMs));
        }
        _server = new DnsServer([.. transports]);
        _server.QueryReceived += OnQueryAsync;
        _server.ExceptionThrown += OnExceptionAsync;
        _server.Start();
        DnsLog.Listening(_log, _options.ClusterDomain, string.Join(", ", _options.ListenAddresses.Select(a => new IPEndPoint(a, _options.Port))),
            Upstreams.Count == 0 ? "nothing" : string.Join(", ", Upstreams));
    }

    private void Changed() => _changes.Writer.TryWrite(true);

    // One rebuild per burst of informer events: a change that lands mid-rebuild queues exactly one more.
    private async Task RebuildLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    Volatile.Write(ref _zone, BuildZone());
                    _answers.Invalidate();
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
                {
                    DnsLog.RebuildFailed(_log, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private DnsZone BuildZone() => DnsZone.Build(_options.ClusterDomain, (int)_options.Ttl.TotalSeconds,
        (uint)_time.GetUtcNow().ToUnixTimeSeconds(), _services.List(), _slices.List(), _namespaces.List());

    private async Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || _resolver is null) return;
        e.Response = await _resolver.ResolveAsync(query, _stop.Token).ConfigureAwait(false);
    }

    private Task OnExceptionAsync(object sender, ExceptionEventArgs e)
    {
        DnsLog.QueryFailed(_log, e.Exception.Message);
        return Task.CompletedTask;
    }

    /// <summary>Stops listening and the zone rebuilds; the informers belong to the factory's owner.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _server?.Stop();
        foreach (var handler in _handlers) handler.Dispose();
        await _rebuilds.ConfigureAwait(false);
        _stop.Dispose();
    }
}
