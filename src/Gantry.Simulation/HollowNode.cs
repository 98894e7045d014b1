using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Simulation;

/// <summary>
/// A node without containers, like kubemark's hollow kubelet: it registers a Node, renews its Lease in kube-node-lease,
/// re-posts its Ready condition when it is stale or was changed by someone else, marks the pods bound to it Running and
/// Ready, and finishes the deletion of its terminating pods. Lets the control plane be exercised at scale without a
/// container runtime.
/// </summary>
public sealed partial class HollowNode
{
    private const int LeaseDurationSeconds = 40;
    private readonly IApiClient _client;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory? _loggers;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _silent;
    private readonly NodeLease _lease;
    private DateTime _lastStatusPost;

    /// <summary>Prepares the node; nothing is sent before <see cref="RunAsync"/>.</summary>
    public HollowNode(IApiClient client, HollowNodeOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.LeaseInterval, TimeSpan.Zero);
        _time = time ?? TimeProvider.System;
        _lease = new NodeLease(client, options.Name, LeaseDurationSeconds);
        _loggers = loggers;
        _logger = (ILogger?)loggers?.CreateLogger<HollowNode>() ?? NullLogger.Instance;
    }

    /// <summary>The node's name.</summary>
    public string Name => Options.Name;

    /// <summary>What the node reports.</summary>
    public HollowNodeOptions Options { get; }

    /// <summary>Whether <see cref="StopHeartbeats"/> was called.</summary>
    public bool HeartbeatsStopped => _silent;

    /// <summary>
    /// Makes the node go silent, as if cut off from the API server: no more Lease renewals, node status posts or pod
    /// status writes. The node lifecycle controller then sees it as unreachable after its grace period.
    /// </summary>
    public void StopHeartbeats() => _silent = true;

    /// <summary>Completes once the Node is registered and its Lease exists.</summary>
    public Task WaitForRegistrationAsync(CancellationToken cancellationToken = default) => _registered.Task.WaitAsync(cancellationToken);

    /// <summary>Registers the node, then heartbeats and runs its pods until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RegisterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        var informer = new Informer<HollowPod>(_client.For<HollowPod>(), new InformerOptions { FieldSelector = $"spec.nodeName={Name}" }, _time, _loggers);
        using var queue = new RateLimitingQueue<string>(time: _time);
        informer.AddEventHandler(
            onAdd: p => queue.Add(ObjectKey.Of(p)),
            onUpdate: (_, p) => queue.Add(ObjectKey.Of(p)),
            onDelete: p => ReleasePodIp(ObjectKey.Of(p)));
        var runner = new ControllerRunner<string>($"hollow-node-{Name}", queue, (key, token) => SyncPodAsync(informer, key, token), _loggers);
        await Task.WhenAll(
            informer.RunAsync(cancellationToken),
            runner.RunAsync(2, cancellationToken),
            HeartbeatLoopAsync(cancellationToken)).ConfigureAwait(false);
    }

    // The kubelet retries registration until the API server answers; so does a hollow node.
    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await RegisterNodeAsync(cancellationToken).ConfigureAwait(false);
                await RenewLeaseAsync(cancellationToken).ConfigureAwait(false);
                _registered.TrySetResult();
                LogRegistered(_logger, Name);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or ApiClientException)
            {
                LogHeartbeatFailed(_logger, Name, ex);
                await Task.Delay(Options.LeaseInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RegisterNodeAsync(CancellationToken cancellationToken)
    {
        var nodes = _client.For<V1Node>();
        var now = Now;
        V1Node node;
        try
        {
            node = await nodes.CreateAsync(HollowNodeStatus.NewNode(Options, now), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ApiClientException ex) when (ex.IsAlreadyExists)
        {
            // A restarted kubelet adopts its existing Node object (the name is its identity).
            node = await nodes.GetAsync(null, Name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"node {Name} vanished during registration");
        }
        node.Status = HollowNodeStatus.Status(Options, now, node.Status?.Conditions);
        await nodes.UpdateStatusAsync(node, cancellationToken).ConfigureAwait(false);
        _lastStatusPost = now;
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.LeaseInterval, _time, cancellationToken).ConfigureAwait(false);
                if (_silent) continue;
                await RenewLeaseAsync(cancellationToken).ConfigureAwait(false);
                await PostStatusIfNeededAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or ApiClientException)
            {
                LogHeartbeatFailed(_logger, Name, ex);
            }
        }
    }

    private Task RenewLeaseAsync(CancellationToken cancellationToken) => _lease.RenewAsync(Now, cancellationToken);

    // Like the kubelet with leases on: the status is re-posted when it differs from what the node reports (e.g. the node
    // lifecycle controller set Ready=Unknown) or when the report frequency has passed; otherwise the Lease suffices.
    private async Task PostStatusIfNeededAsync(CancellationToken cancellationToken)
    {
        var nodes = _client.For<V1Node>();
        var node = await nodes.GetAsync(null, Name, cancellationToken).ConfigureAwait(false);
        // Like the kubelet, which registers once: a deleted Node stays deleted until the node agent restarts.
        if (node is null) return;
        var now = Now;
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        if (ready?.Status == "True" && now - _lastStatusPost < Options.NodeStatusReportFrequency) return;
        node.Status = HollowNodeStatus.Status(Options, now, node.Status?.Conditions);
        await nodes.UpdateStatusAsync(node, cancellationToken).ConfigureAwait(false);
        _lastStatusPost = now;
    }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    [LoggerMessage(Level = LogLevel.Information, Message = "hollow node {Node} registered")]
    private static partial void LogRegistered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "hollow node {Node}: heartbeat failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, string node, Exception exception);
}
