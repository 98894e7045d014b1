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
    /// run (process, cache fetch, table validation) costs as much as it saves. It is also the least number of new
    /// chains and sets worth staging ahead of a sync (see <see cref="StageAsync"/>).
    /// </summary>
    private const int ManyDeclarations = 1000;

    /// <summary>While the rate limit holds a sync back, the rules of what changed meanwhile are built this often.</summary>
    private static readonly TimeSpan PrepareInterval = TimeSpan.FromMilliseconds(100);

    private static readonly HashSet<string> NoChains = [];

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

    /// <summary>Chains and sets already in the table, complete but not referenced yet: the next sync makes them live.</summary>
    private ProxyRuleset _staged = new();
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
    /// Waits for the rate limiter's token, meanwhile building the rules of what changed every <see cref="PrepareInterval"/>
    /// and staging the new chains of a burst: the sync after it then only writes what makes them live.
    /// </summary>
    private async Task WaitForTokenAsync(SyncRateLimiter limiter, Informer<V1Service> services, Informer<V1EndpointSlice> slices, CancellationToken cancellationToken)
    {
        for (var delay = limiter.Delay; delay > TimeSpan.Zero; delay = limiter.Delay)
        {
            await Task.Delay(delay < PrepareInterval ? delay : PrepareInterval, _time, cancellationToken).ConfigureAwait(false);
            if (limiter.Delay == TimeSpan.Zero) break;
            _rulesets.Prepare(services.List(), slices.List());
            // A staging run shortly before the token would hold the sync back by its own length.
            if (limiter.Delay >= PrepareInterval) await StageAsync(cancellationToken).ConfigureAwait(false);
        }
        await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the new chains (with their rules) and affinity sets of the prepared services into the table when there are
    /// at least <see cref="ManyDeclarations"/>. Nothing refers to them until the sync adds the map elements and rewrites
    /// the live chains that lead to them, all in one transaction, so no packet takes another path before that sync:
    /// what the rate limit bounds, changes to the rules in effect, stays as it was. A sync drops what it no longer
    /// needs of them like any other chain.
    /// </summary>
    private async Task StageAsync(CancellationToken cancellationToken)
    {
        var fresh = _rulesets.NewPrepared();
        // Flushed chains still exist (the next sync deletes them): they are never staged.
        foreach (var chain in _staged.Chains.Keys.Concat(_flushedChains)) fresh.Chains.Remove(chain);
        foreach (var set in _staged.AffinitySets.Keys) fresh.AffinitySets.Remove(set);
        if (_needsFullSync || fresh.Chains.Count + fresh.AffinitySets.Count < ManyDeclarations) return;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            var transaction = NftTransactions.Diff(TableName, new ProxyRuleset(), fresh, NoChains, out _);
            await ApplyAsync(transaction, cancellationToken).ConfigureAwait(false);
            _staged.Add(fresh);
            ServiceProxyLog.Staged(_logger, fresh.Chains.Count, fresh.AffinitySets.Count);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            ServiceProxyLog.SyncFailed(_logger, ex);
            _needsFullSync = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Applies a diff, its declarations first on their own when there are many (see <see cref="ManyDeclarations"/>).</summary>
    private async Task ApplyAsync(string diff, CancellationToken cancellationToken)
    {
        var (declarations, changes) = NftTransactions.SplitDeclarations(diff, ManyDeclarations);
        if (declarations.Length > 0) await _nft!.ApplyAsync(declarations, cancellationToken).ConfigureAwait(false);
        if (changes.Length > 0) await _nft!.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
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
            // Staged chains are in the table as if they had been there before; a full sync rewrites the table without them.
            before.Add(_staged);
            _staged = new ProxyRuleset();
            var full = _needsFullSync || _time.GetElapsedTime(_lastFullSync) > FullSyncPeriod || NftTransactions.AffinityTimeoutChanged(before, after);
            List<string> flushed = [];
            var transaction = full
                ? NftTransactions.Full(_options, _rulesets.Current())
                : NftTransactions.Diff(TableName, before, after, _flushedChains, out flushed);
            var built = stopwatch.Elapsed;
            if (full) await _nft!.ApplyAsync(transaction, cancellationToken).ConfigureAwait(false);
            else await ApplyAsync(transaction, cancellationToken).ConfigureAwait(false);
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
