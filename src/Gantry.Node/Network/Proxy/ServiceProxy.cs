using System.Diagnostics;
using System.Threading.Channels;
using Gantry.Client.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Network.Proxy;

/// <summary>
/// The node's service proxy, as kube-proxy's nftables mode: watches Services and EndpointSlices and programs one
/// nftables table (family ip) of its own so ClusterIPs, NodePorts (also on 127.0.0.1), externalIPs and load-balancer
/// IPs reach the endpoints. The first sync replaces the table atomically; later ones send one transaction with only
/// what changed, at most once per <see cref="ServiceProxyOptions.MinSyncInterval"/>. Disposing deletes the table.
/// </summary>
public sealed class ServiceProxy : IAsyncDisposable
{
    private const string RouteLocalnet = "net.ipv4.conf.all.route_localnet";

    /// <summary>Even without failures the whole table is rewritten now and then, repairing anything changed behind our back (kube-proxy's FullSyncPeriod).</summary>
    private static readonly TimeSpan FullSyncPeriod = TimeSpan.FromHours(1);

    /// <summary>
    /// Flushed chains are deleted by the next sync (see <see cref="NftTransactions.Diff"/>); without any change, one comes
    /// this long after the flush, the age kube-proxy waits for before deleting a stale chain.
    /// </summary>
    private static readonly TimeSpan StaleChainDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A diff declaring this many chains and sets (a burst of about 100 services) declares them in a transaction of its
    /// own first. For each anonymous verdict map a rule binds, the kernel walks the transaction built so far; without the
    /// 11,000 declarations of 1,000 new services in it, nft needs ~9% less time for them. Below this, the second nft
    /// run (process, cache fetch, table validation) costs as much as it saves.
    /// </summary>
    private const int SeparateDeclarationsFrom = 1000;

    /// <summary>While the rate limit holds a sync back, the rules of what changed meanwhile are built this often.</summary>
    private static readonly TimeSpan PrepareInterval = TimeSpan.FromMilliseconds(100);

    private readonly SharedInformerFactory _informers;
    private readonly ServiceProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ProxyRulesetCache _rulesets;
    private NftTool? _nft;
    private bool _needsFullSync = true;
    private HashSet<string> _flushedChains = [];
    private long _lastFullSync;
    private string? _savedRouteLocalnet;
    private bool _disposed;

    /// <summary>A proxy fed by <paramref name="informers"/> (shared with the rest of the agent); nothing runs until <see cref="RunAsync"/>.</summary>
    public ServiceProxy(SharedInformerFactory informers, ServiceProxyOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _informers = informers ?? throw new ArgumentNullException(nameof(informers));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? TimeProvider.System;
        _rulesets = new ProxyRulesetCache(options);
        _logger = (ILogger?)loggers?.CreateLogger<ServiceProxy>() ?? NullLogger.Instance;
    }

    /// <summary>The nftables table this proxy owns.</summary>
    public string TableName => _options.TableName;

    /// <summary>The latest successful sync, or null before the first.</summary>
    public ServiceProxySync? LastSync { get; private set; }

    /// <summary>Raised on the proxy's loop after each successful sync; handlers must be quick.</summary>
    public event EventHandler<ServiceProxySync>? Synced;

    /// <summary>
    /// Checks for nft, enables localhost NodePorts, waits for the caches, then syncs on every change (coalesced, rate
    /// limited) and every <see cref="ServiceProxyOptions.SyncPeriod"/> until cancelled.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _nft = new NftTool(NftTool.Locate(), _options.NetworkNamespace);
        ServiceProxyLog.Starting(_logger, _options.NodeName, TableName);
        if (_options.LocalhostNodePorts)
        {
            // DNAT of 127.0.0.1 to a pod leaves a loopback source on a non-loopback route: the kernel allows that only with route_localnet.
            var current = await _nft.ReadSysctlAsync(RouteLocalnet, cancellationToken).ConfigureAwait(false);
            if (current != "1")
            {
                await _nft.WriteSysctlAsync(RouteLocalnet, "1", cancellationToken).ConfigureAwait(false);
                _savedRouteLocalnet = current;
            }
        }

        var services = _informers.For<V1Service>();
        var slices = _informers.For<V1EndpointSlice>();
        using var serviceEvents = services.AddEventHandler(_ => RequestSync(), (_, _) => RequestSync(), _ => RequestSync());
        using var sliceEvents = slices.AddEventHandler(_ => RequestSync(), (_, _) => RequestSync(), _ => RequestSync());
        _informers.Start(cancellationToken);
        try
        {
            await Task.WhenAll(services.WaitForSyncAsync(cancellationToken), slices.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
            var limiter = new SyncRateLimiter(_options.MinSyncInterval, _time);
            var cleanupOnly = false;
            while (true)
            {
                // Deleting the chains the last sync flushed takes no token: a change arriving next must not wait for it.
                if (!cleanupOnly) await WaitForTokenAsync(limiter, services, slices, cancellationToken).ConfigureAwait(false);
                // Requests made until here are all served by this sync: bursts of changes coalesce.
                _requests.Reader.TryRead(out _);
                await SyncAsync(services, slices, cancellationToken).ConfigureAwait(false);
                cleanupOnly = await WaitForWorkAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void RequestSync() => _requests.Writer.TryWrite(true);

    /// <summary>
    /// Waits for the rate limiter's token, meanwhile building the rules of what changed every <see cref="PrepareInterval"/>:
    /// a burst of services arriving during the wait is then only compared and written by the sync, not built by it.
    /// </summary>
    private async Task WaitForTokenAsync(SyncRateLimiter limiter, Informer<V1Service> services, Informer<V1EndpointSlice> slices, CancellationToken cancellationToken)
    {
        for (var delay = limiter.Delay; delay > TimeSpan.Zero; delay = limiter.Delay)
        {
            await Task.Delay(delay < PrepareInterval ? delay : PrepareInterval, _time, cancellationToken).ConfigureAwait(false);
            if (limiter.Delay > TimeSpan.Zero) _rulesets.Prepare(services.List(), slices.List());
        }
        await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a change, the sync period, or — when the last sync flushed chains — <see cref="StaleChainDelay"/>;
    /// true when only those chains are due for deletion.
    /// </summary>
    private async Task<bool> WaitForWorkAsync(CancellationToken cancellationToken)
    {
        var cleanup = _flushedChains.Count > 0 && StaleChainDelay < _options.SyncPeriod;
        using var timeout = new CancellationTokenSource(cleanup ? StaleChainDelay : _options.SyncPeriod, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _requests.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return cleanup;
        }
    }

    private async Task SyncAsync(Informer<V1Service> services, Informer<V1EndpointSlice> slices, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            var stopwatch = Stopwatch.StartNew();
            var (before, after) = _rulesets.Update(services.List(), slices.List());
            var full = _needsFullSync || _time.GetElapsedTime(_lastFullSync) > FullSyncPeriod || NftTransactions.AffinityTimeoutChanged(before, after);
            List<string> flushed = [];
            var transaction = full
                ? NftTransactions.Full(_options, _rulesets.Current())
                : NftTransactions.Diff(TableName, before, after, _flushedChains, out flushed);
            var built = stopwatch.Elapsed;
            var (declarations, changes) = full ? ("", transaction) : NftTransactions.SplitDeclarations(transaction, SeparateDeclarationsFrom);
            if (declarations.Length > 0) await _nft!.ApplyAsync(declarations, cancellationToken).ConfigureAwait(false);
            if (changes.Length > 0) await _nft!.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
            _needsFullSync = false;
            _flushedChains = [.. flushed];
            if (full) _lastFullSync = _time.GetTimestamp();
            var sync = new ServiceProxySync(full, transaction.AsSpan().Count('\n'), transaction.Length, stopwatch.Elapsed, stopwatch.Elapsed - built, _rulesets.ServicePorts, _rulesets.Endpoints);
            LastSync = sync;
            ServiceProxyLog.Synced(_logger, sync.ServicePorts, sync.Endpoints, full ? "full" : "diff", sync.Lines, (long)sync.Duration.TotalMilliseconds);
            Synced?.Invoke(this, sync);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            ServiceProxyLog.SyncFailed(_logger, ex);
            _needsFullSync = true;
            RequestSync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes the table and restores route_localnet if this proxy changed it and no other proxy's table remains.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed || _nft is null) return;
            _disposed = true;
            await _nft.TryRunAsync(CancellationToken.None, "delete", "table", "ip", TableName).ConfigureAwait(false);
            // Another node's proxy on this machine may still serve localhost NodePorts: the last one out restores the setting.
            var tables = await _nft.TryRunAsync(CancellationToken.None, "list", "tables", "ip").ConfigureAwait(false) ?? "";
            if (_savedRouteLocalnet is not null && !tables.Contains("table ip " + ProxyNames.TablePrefix, StringComparison.Ordinal))
                await _nft.WriteSysctlAsync(RouteLocalnet, _savedRouteLocalnet, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            ServiceProxyLog.CleanupFailed(_logger, ex);
        }
        finally
        {
            _disposed = true;
            _gate.Release();
        }
    }
}
