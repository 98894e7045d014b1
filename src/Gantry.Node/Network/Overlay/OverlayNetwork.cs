using System.Net;
using System.Threading.Channels;
using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Node.Network.Proxy;
using Gantry.Node.Pods;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Network.Overlay;

/// <summary>
/// Cross-node pod networking as flannel does it with the kube subnet manager: publishes this node's backend data as
/// Node annotations, watches the Nodes and keeps, for every other node with a pod CIDR and an address, a route to its
/// pod CIDR — host-gw: via its node IP; VXLAN: over the flannel.1 device, with permanent neighbor and FDB entries so
/// no ARP or learning crosses the overlay. Pod ↔ pod traffic is never NATed; pod traffic leaving the cluster CIDR is
/// masqueraded by an nftables table of this node's own. Routes carry protocol <see cref="RouteProtocol"/>, so a start
/// reconciles exactly its own against what exists. Disposing stops watching but keeps routes, device and rules (pods
/// keep talking while the agent restarts, as with flannel); <see cref="RemoveAllAsync"/> takes everything away.
/// One overlay per network namespace.
/// </summary>
public sealed class OverlayNetwork : IAsyncDisposable
{
    /// <summary>The route protocol number (<c>ip route ... proto 90</c>) marking the overlay's routes.</summary>
    public const int RouteProtocol = OverlayNames.RouteProtocol;

    private readonly IApiClient _client;
    private readonly OverlayOptions _options;
    private readonly OverlayKernel _kernel;
    private readonly OverlayUplink _uplink;
    private readonly IPNetwork _clusterCidr;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory? _loggers;
    private readonly ILogger _logger;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private string? _appliedRules;
    private IPNetwork? _deviceAddressFor;
    private bool _disposed;

    private OverlayNetwork(IApiClient client, OverlayOptions options, OverlayKernel kernel, OverlayUplink uplink, IPNetwork clusterCidr, TimeProvider time,
        ILoggerFactory? loggers)
    {
        _client = client;
        _options = options;
        _kernel = kernel;
        _uplink = uplink;
        _clusterCidr = clusterCidr;
        _time = time;
        _loggers = loggers;
        _logger = (ILogger?)loggers?.CreateLogger<OverlayNetwork>() ?? NullLogger.Instance;
        VtepMac = OverlayNames.VtepMac(options.NodeName);
    }

    /// <summary>
    /// Starts the overlay: finds the interface holding the node IP, turns on IP forwarding, then in the background waits
    /// for this node's spec.podCIDR and keeps routes, entries, annotations and rules in sync until disposed. Null when
    /// <see cref="OverlayOptions.Backend"/> is None or the node IP is a loopback address (nothing could reach this node):
    /// pods then keep the CNI bridge's own masquerading.
    /// </summary>
    public static async Task<OverlayNetwork?> StartAsync(IApiClient client, OverlayOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Backend == OverlayBackend.None) return null;
        if (!OverlayPlan.TryParseNetwork(options.ClusterCidr, out var clusterCidr))
            throw new ArgumentException($"cluster CIDR \"{options.ClusterCidr}\" is not an IPv4 CIDR", nameof(options));
        var nodeIpText = options.NodeIp ?? (options.NetworkNamespace is null
            ? MachineInfo.DetectNodeIp()
            : throw new ArgumentException("an overlay in a named network namespace needs the node IP", nameof(options)));
        if (!IPAddress.TryParse(nodeIpText, out var nodeIp) || nodeIp.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"node IP \"{nodeIpText}\" is not an IPv4 address", nameof(options));
        var logger = (ILogger?)loggers?.CreateLogger<OverlayNetwork>() ?? NullLogger.Instance;
        if (IPAddress.IsLoopback(nodeIp))
        {
            OverlayLog.LoopbackNodeIp(logger, nodeIpText);
            return null;
        }
        var kernel = OverlayKernel.Create(options.NetworkNamespace, options.VxlanDevice);
        var uplink = await kernel.FindUplinkAsync(nodeIp, cancellationToken).ConfigureAwait(false);
        await kernel.EnableForwardingAsync(cancellationToken).ConfigureAwait(false);
        if (options.Backend != OverlayBackend.Vxlan) await kernel.RemoveOwnVxlanAsync(OverlayNames.VtepMac(options.NodeName), cancellationToken).ConfigureAwait(false);
        OverlayLog.Starting(logger, options.NodeName, FlannelAnnotations.TypeName(options.Backend), uplink.Name, nodeIpText, options.TableName);
        var overlay = new OverlayNetwork(client, options, kernel, uplink, clusterCidr, time ?? TimeProvider.System, loggers);
        overlay._running = overlay.RunAsync(overlay._stop.Token);
        return overlay;
    }

    /// <summary>The backend in use.</summary>
    public OverlayBackend Backend => _options.Backend;

    /// <summary>The MAC of this node's VXLAN device, published in the backend-data annotation (derived from the node name).</summary>
    public string VtepMac { get; }

    /// <summary>The MTU pods should use: the uplink's, less the 50 bytes of VXLAN encapsulation with that backend.</summary>
    public int PodMtu => _options.Backend == OverlayBackend.Vxlan ? _uplink.Mtu - 50 : _uplink.Mtu;

    /// <summary>The latest successful sync, or null before the first.</summary>
    public OverlaySync? LastSync { get; private set; }

    /// <summary>
    /// <paramref name="basis"/> adjusted for pods on this overlay: the bridge stops masquerading (the overlay's rules do
    /// it, without NATing pod ↔ pod traffic across nodes) and uses <see cref="PodMtu"/>.
    /// </summary>
    public CniNetworkOptions PodNetworkOptions(CniNetworkOptions basis)
    {
        ArgumentNullException.ThrowIfNull(basis);
        return basis with { IpMasq = false, Mtu = PodMtu };
    }

    /// <summary>Stops the overlay and removes its routes, its VXLAN device (with every entry) and its nftables table: for nodes torn down for good.</summary>
    public async Task RemoveAllAsync(CancellationToken cancellationToken)
    {
        await StopAsync().ConfigureAwait(false);
        await _kernel.RemoveAllAsync(_options.TableName, cancellationToken).ConfigureAwait(false);
        _appliedRules = null;
        _deviceAddressFor = null;
    }

    /// <summary>Stops watching; routes, device and rules stay (see the class remarks).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _disposed = true;
    }

    private async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var informers = new SharedInformerFactory(_client, time: _time, loggers: _loggers);
        var nodes = informers.For<V1Node>();
        // Nodes are updated for heartbeats and conditions all the time: only what routes depend on asks for a sync.
        using var events = nodes.AddEventHandler(_ => RequestSync(), (before, after) => { if (RoutingKey(before) != RoutingKey(after)) RequestSync(); }, _ => RequestSync());
        informers.Start(cancellationToken);
        try
        {
            await nodes.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            var limiter = new SyncRateLimiter(_options.MinSyncInterval, _time);
            // The first sync and the periodic ones also re-check the device, its address and the rules.
            var repair = true;
            var retryDelay = TimeSpan.Zero;
            while (true)
            {
                await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
                _requests.Reader.TryRead(out _);
                var synced = await SyncAsync(nodes, repair, cancellationToken).ConfigureAwait(false);
                repair = !synced;
                // A failure that persists (a host-gw peer off this network, a missing module) is retried ever more slowly, up to the sync period.
                retryDelay = synced ? TimeSpan.Zero : Min(Max(retryDelay * 2, _options.MinSyncInterval), _options.SyncPeriod);
                using var period = new CancellationTokenSource(synced ? _options.SyncPeriod : retryDelay, _time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, period.Token);
                try { await _requests.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { repair = true; }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void RequestSync() => _requests.Writer.TryWrite(true);

    /// <summary>One sync; false when it failed (the loop retries with back-off).</summary>
    private async Task<bool> SyncAsync(Informer<V1Node> nodes, bool repair, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var self = nodes.Get(null, _options.NodeName);
            if (self is null || !OverlayPlan.TryParseNetwork(self.Spec?.PodCIDR, out var podCidr))
            {
                OverlayLog.WaitingForPodCidr(_logger, _options.NodeName);
                return !repair;
            }
            var vxlan = _options.Backend == OverlayBackend.Vxlan;
            if (vxlan && repair)
            {
                if (await _kernel.EnsureVxlanAsync(_options, _uplink, VtepMac, cancellationToken).ConfigureAwait(false))
                    OverlayLog.DeviceCreated(_logger, _options.VxlanDevice, VtepMac);
                _deviceAddressFor = null;
            }
            if (vxlan && _deviceAddressFor != podCidr)
            {
                await _kernel.EnsureDeviceAddressAsync(podCidr.BaseAddress, cancellationToken).ConfigureAwait(false);
                _deviceAddressFor = podCidr;
            }
            await PublishAsync(self, cancellationToken).ConfigureAwait(false);
            var rules = OverlayMasquerade.Transaction(_options.TableName, _clusterCidr, podCidr);
            if (repair || rules != _appliedRules)
            {
                await _kernel.ApplyRulesAsync(rules, cancellationToken).ConfigureAwait(false);
                _appliedRules = rules;
            }
            var peers = OverlayPlan.Peers(nodes.List(), _options.NodeName, _uplink.Address, _clusterCidr, podCidr, _options.Backend);
            var wanted = OverlayPlan.Wanted(peers, _options.Backend, _uplink.Name, _options.VxlanDevice);
            var current = await _kernel.ReadStateAsync(vxlan, cancellationToken).ConfigureAwait(false);
            var changes = OverlayChanges.Between(current, wanted);
            if (changes.Count > 0) await _kernel.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
            var sync = new OverlaySync(podCidr.ToString(), peers.Select(p => p.NodeName).ToList(), changes.Count, _time.GetElapsedTime(started));
            LastSync = sync;
            if (changes.Count > 0) OverlayLog.Synced(_logger, peers.Count, changes.Count, (long)sync.Duration.TotalMilliseconds);
            return true;
        }
        // Whatever one sync hits (a tool's odd output, the API being away), the loop must live on: routes left
        // unmanaged would silently rot. Cancellation alone ends it.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            OverlayLog.SyncFailed(_logger, ex);
            return false;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Patches this node's flannel annotations when they differ from what it should announce.</summary>
    private async Task PublishAsync(V1Node self, CancellationToken cancellationToken)
    {
        var wanted = FlannelAnnotations.For(_options.Backend, _uplink.Address, _options.Vni, VtepMac);
        if (wanted.All(a => OverlayPlan.Annotation(self, a.Key) == a.Value)) return;
        await _client.For<V1Node>().PatchAsync(null, _options.NodeName, PatchType.Merge, new { metadata = new { annotations = wanted } },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string RoutingKey(V1Node node)
    {
        var internalIp = node.Status?.Addresses?.FirstOrDefault(a => a.Type == "InternalIP")?.Address;
        return $"{node.Spec?.PodCIDR}|{internalIp}|{OverlayPlan.Annotation(node, FlannelAnnotations.BackendType)}|"
            + $"{OverlayPlan.Annotation(node, FlannelAnnotations.BackendData)}|{OverlayPlan.Annotation(node, FlannelAnnotations.PublicIp)}";
    }
}
