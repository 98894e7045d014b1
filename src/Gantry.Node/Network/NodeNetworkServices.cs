using System.Net.Sockets;
using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Node.Network.Dns;
using Gantry.Node.Network.Proxy;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Network;

/// <summary>
/// What k3s runs on every node besides the kubelet: the service proxy (kube-proxy, nftables mode) and cluster DNS —
/// here node-local, as NodeLocal DNSCache: a dummy interface carries the kube-dns service IP, the DNS server listens
/// there, and the proxy leaves that IP alone so pods' queries stay on their node and never cross NAT. Both share one
/// informer factory (Services, EndpointSlices, Namespaces). The DNS server starts with the node's first pod
/// (<see cref="EnsureClusterDnsAsync"/>): only pods query it, so a node without pods does not hold its code, informer and
/// sockets.
/// </summary>
public sealed partial class NodeNetworkServices(IApiClient client, NodeNetworkOptions options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger<NodeNetworkServices>();
    private readonly TaskCompletionSource _dnsWanted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Completed when the DNS server listens, is left to another process, is not configured, or will not start (RunAsync
    // reports why): a pod waiting for it never waits longer than that.
    private readonly TaskCompletionSource _dnsSettled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Starts the cluster DNS server unless it runs already, and completes once it answers (at once without --cluster-dns).
    /// The agent calls it before a pod's containers can query it.
    /// </summary>
    public Task EnsureClusterDnsAsync(CancellationToken cancellationToken)
    {
        _dnsWanted.TrySetResult();
        return _dnsSettled.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs the proxy, and the DNS server once <see cref="EnsureClusterDnsAsync"/> asks for it, until cancelled; then
    /// removes the proxy's table and the DNS interface.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var informers = new SharedInformerFactory(client, time: time, loggers: loggers);
        var proxy = new ServiceProxy(informers, new ServiceProxyOptions
        {
            NodeName = options.NodeName,
            NodeIPs = options.NodeIPs,
            ClusterCidr = options.ClusterCidr,
            NodeLocalServiceIPs = options.ClusterDns,
            SyncPeriod = options.ProxySyncPeriod,
            MinSyncInterval = options.ProxyMinSyncPeriod,
        }, time, loggers);
        ClusterDnsServer? dns = null;
        try
        {
            var proxying = proxy.RunAsync(cancellationToken);
            if (options.ClusterDns.Count > 0 && await Task.WhenAny(_dnsWanted.Task, proxying).ConfigureAwait(false) == _dnsWanted.Task)
                dns = await StartDnsAsync(informers, cancellationToken).ConfigureAwait(false);
            _dnsSettled.TrySetResult();
            await proxying.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            LogFailed(_log, options.NodeName, ex);
            throw;
        }
        finally
        {
            _dnsSettled.TrySetResult();
            if (dns is not null) await dns.DisposeAsync().ConfigureAwait(false);
            await proxy.DisposeAsync().ConfigureAwait(false);
            // Also when the DNS never started here: an agent killed before it stopped may have left the interface.
            if (options.ClusterDns.Count > 0) await NodeDnsInterface.RemoveAsync(options.NodeName, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<ClusterDnsServer?> StartDnsAsync(SharedInformerFactory informers, CancellationToken cancellationToken)
    {
        await NodeDnsInterface.EnsureAsync(options.NodeName, options.ClusterDns, cancellationToken).ConfigureAwait(false);
        var dns = new ClusterDnsServer(informers, new ClusterDnsOptions
        {
            ListenAddresses = options.ClusterDns,
            ClusterDomain = options.ClusterDomain,
            ResolvConfPath = options.ResolvConf,
        }, time, loggers);
        informers.Start(cancellationToken);
        try
        {
            await dns.StartAsync(cancellationToken).ConfigureAwait(false);
            return dns;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Another agent of the cluster in this network namespace (tests, hollow nodes) serves the same IP for all of them.
            LogDnsServedElsewhere(_log, string.Join(", ", options.ClusterDns));
            await dns.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster DNS address {Addresses} port 53 is taken in this network namespace; this agent leaves DNS to the process holding it")]
    private static partial void LogDnsServedElsewhere(ILogger logger, string addresses);

    [LoggerMessage(Level = LogLevel.Error, Message = "service proxy or cluster DNS of node {Node} stopped")]
    private static partial void LogFailed(ILogger logger, string node, Exception exception);
}
