using Gantry.Client;
using Gantry.Node.Images;
using Gantry.Node.Network;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Pods;

/// <summary>
/// The node half of the agent: registers the Node (adopting an existing one), posts its status when it changed or the
/// report frequency passed, renews its Lease in kube-node-lease, and initializes pod networking once the Node has a
/// pod CIDR.
/// </summary>
internal sealed partial class NodeHeartbeat(IApiClient client, NodeAgentOptions options, NodeFacts node, IPodNetwork network, IImageService images, TimeProvider time,
    Action onNetworkReady, ILogger logger)
{
    private readonly NodeLease _lease = new(client, options.NodeName, options.NodeLeaseDurationSeconds);
    private DateTime _lastPost;
    private string? _podCidr;

    /// <summary>Registers the Node and its Lease, retrying until the API server answers.</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await RegisterNodeAsync(cancellationToken).ConfigureAwait(false);
                await RenewLeaseAsync(cancellationToken).ConfigureAwait(false);
                LogRegistered(logger, options.NodeName);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or ApiClientException)
            {
                LogHeartbeatFailed(logger, options.NodeName, ex);
                await Task.Delay(options.NodeLeaseRenewInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Renews the Lease every renew interval until cancelled.</summary>
    public Task RunLeaseAsync(CancellationToken cancellationToken) => EveryAsync(options.NodeLeaseRenewInterval, RenewLeaseAsync, cancellationToken);

    /// <summary>
    /// Computes (and posts when needed) the node status every update frequency until cancelled; while the Node waits for
    /// its pod CIDR (at most the fast update period), every fast update interval instead.
    /// </summary>
    public async Task RunStatusAsync(CancellationToken cancellationToken)
    {
        var fastUntil = time.GetUtcNow() + options.FastStatusUpdatePeriod;
        await EveryAsync(options.FastStatusUpdateInterval, UpdateStatusAsync, cancellationToken,
            until: () => _podCidr is not null || time.GetUtcNow() >= fastUntil).ConfigureAwait(false);
        await EveryAsync(options.NodeStatusUpdateFrequency, UpdateStatusAsync, cancellationToken).ConfigureAwait(false);
    }

    private async Task EveryAsync(TimeSpan period, Func<CancellationToken, Task> action, CancellationToken cancellationToken, Func<bool>? until = null)
    {
        while (!cancellationToken.IsCancellationRequested && until?.Invoke() != true)
        {
            try
            {
                await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
                await action(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or ApiClientException or IOException)
            {
                LogHeartbeatFailed(logger, options.NodeName, ex);
            }
        }
    }

    private async Task RegisterNodeAsync(CancellationToken cancellationToken)
    {
        var nodes = client.For<V1Node>();
        V1Node current;
        try
        {
            current = await nodes.CreateAsync(NodeStatusBuilder.NewNode(options, node, node.NetworkReady, Now, images.List()), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ApiClientException ex) when (ex.IsAlreadyExists)
        {
            // A restarted agent adopts its Node (the name is its identity), as the kubelet does.
            current = await nodes.GetAsync(null, options.NodeName, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"node {options.NodeName} vanished during registration");
        }
        await InitializeNetworkAsync(current, cancellationToken).ConfigureAwait(false);
        await PostAsync(current, cancellationToken).ConfigureAwait(false);
    }

    private async Task UpdateStatusAsync(CancellationToken cancellationToken)
    {
        var current = await client.For<V1Node>().GetAsync(null, options.NodeName, cancellationToken).ConfigureAwait(false);
        // Registration happens once: a deleted Node stays deleted until the agent restarts.
        if (current is null) return;
        await InitializeNetworkAsync(current, cancellationToken).ConfigureAwait(false);
        var wanted = NodeStatusBuilder.Status(options, node, node.NetworkReady, Now, current.Status, images.List());
        if (!NodeStatusBuilder.Differs(current.Status, wanted) && Now - _lastPost < options.NodeStatusReportFrequency) return;
        await PostAsync(current, cancellationToken).ConfigureAwait(false);
    }

    private async Task PostAsync(V1Node current, CancellationToken cancellationToken)
    {
        var now = Now;
        current.Status = NodeStatusBuilder.Status(options, node, node.NetworkReady, now, current.Status, images.List());
        try
        {
            await client.For<V1Node>().UpdateStatusAsync(current, cancellationToken).ConfigureAwait(false);
        }
        catch (ConflictException)
        {
            var fresh = await client.For<V1Node>().GetAsync(null, options.NodeName, cancellationToken).ConfigureAwait(false);
            if (fresh is null) return;
            fresh.Status = NodeStatusBuilder.Status(options, node, node.NetworkReady, now, fresh.Status, images.List());
            await client.For<V1Node>().UpdateStatusAsync(fresh, cancellationToken).ConfigureAwait(false);
        }
        _lastPost = now;
    }

    // The node IPAM controller (or --pod-cidr) gives the pod range; networking is configured once, then the node is Ready.
    private async Task InitializeNetworkAsync(V1Node current, CancellationToken cancellationToken)
    {
        if (_podCidr is not null) return;
        var cidr = string.IsNullOrEmpty(current.Spec?.PodCIDR) ? options.PodCidr : current.Spec.PodCIDR;
        if (string.IsNullOrEmpty(cidr)) return;
        await network.InitializeAsync(cidr, cancellationToken).ConfigureAwait(false);
        _podCidr = cidr;
        node.NetworkReady = true;
        LogNetworkReady(logger, options.NodeName, cidr);
        onNetworkReady();
    }

    private Task RenewLeaseAsync(CancellationToken cancellationToken) => _lease.RenewAsync(Now, cancellationToken);

    private DateTime Now
    {
        get
        {
            var now = time.GetUtcNow().UtcDateTime;
            return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} registered")]
    private static partial void LogRegistered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node}: pod networking initialized for {PodCidr}")]
    private static partial void LogNetworkReady(ILogger logger, string node, string podCidr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node}: heartbeat failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, string node, Exception exception);
}
