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
/// informer factory (Services, EndpointSlices, Namespaces).
/// </summary>
public sealed partial class NodeNetworkServices(IApiClient client, NodeNetworkOptions options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger<NodeNetworkServices>();

    /// <summary>Runs the proxy and the DNS server until cancelled, then removes the proxy's table and the DNS interface.</summary>
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
            if (options.ClusterDns.Count > 0) dns = await StartDnsAsync(informers, cancellationToken).ConfigureAwait(false);
            await proxying.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            LogFailed(_log, options.NodeName, ex);
            throw;
        }
        finally
        {
            if (dns is not null) await dns.DisposeAsync().ConfigureAwait(false);
            await proxy.DisposeAsync().ConfigureAwait(false);
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
