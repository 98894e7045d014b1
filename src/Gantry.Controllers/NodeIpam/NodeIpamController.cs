using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.NodeIpam;

/// <summary>
/// kube-controller-manager's node IPAM in range-allocator mode: every node without spec.podCIDR gets the next free
/// /NodeCidrMaskSize of the cluster CIDR (spec.podCIDR and spec.podCIDRs, by a patch); a deleted node's range is freed.
/// The allocation lives only in the Node objects: at start the ranges of all existing nodes are marked taken before any
/// is handed out, so a restart never gives one range twice. When the cluster CIDR is full the node gets a
/// CIDRNotAvailable event and is retried with backoff.
/// </summary>
public sealed partial class NodeIpamController : IController
{
    private readonly ControllerContext _context;
    private readonly NodeIpamOptions _options;
    private readonly Informer<V1Node> _nodes;
    private readonly RateLimitingQueue<string> _queue;
    private readonly EventRecorder _recorder;
    private readonly ILogger _logger;
    private readonly CidrSet _cidrs;
    // Node name -> the ranges this allocator counts as that node's (from its spec, or allocated and being patched).
    // Rebuilt from the nodes at start; guarded by itself, though the single worker is its only writer after start.
    private readonly Dictionary<string, IReadOnlyList<string>> _allocated = new(StringComparer.Ordinal);

    /// <summary>Registers the node informer and its handlers.</summary>
    public NodeIpamController(ControllerContext context, NodeIpamOptions? options = null)
    {
        _context = context;
        _options = options ?? new NodeIpamOptions();
        _cidrs = new CidrSet(_options.ClusterCidr, _options.NodeCidrMaskSize);
        if (_options.ServiceCidr is { Length: > 0 } services) _cidrs.Occupy(services);
        _logger = context.Loggers.CreateLogger<NodeIpamController>();
        _recorder = context.Recorder("cidrAllocator");
        _queue = new RateLimitingQueue<string>(time: context.Time);
        _nodes = context.Informers.For<V1Node>();
        _nodes.AddEventHandler(onAdd: n => _queue.Add(n.Name()), onUpdate: (_, n) => _queue.Add(n.Name()), onDelete: n => _queue.Add(n.Name()));
    }

    /// <inheritdoc />
    public string Name => "node-ipam-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _nodes.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        lock (_allocated)
        {
            // Everything already given out must be taken before the first allocation (upstream occupies the listed nodes' CIDRs).
            foreach (var node in _nodes.List()) Occupy(node);
        }
        // One worker: allocations are serial anyway, and a second could not make a patch conflict-free faster.
        await new ControllerRunner<string>("node-ipam", _queue, SyncAsync, _context.Loggers).RunAsync(1, cancellationToken).ConfigureAwait(false);
    }

    private async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var node = _nodes.Get(null, name);
        string cidr;
        lock (_allocated)
        {
            if (node is null)
            {
                Release(name);
                // Nodes waiting for a range (backing off after CIDRNotAvailable) may now get this one.
                foreach (var waiting in _nodes.List().Where(n => PodCidrs(n).Count == 0)) _queue.Add(waiting.Name());
                return;
            }
            if (PodCidrs(node) is { Count: > 0 })
            {
                Occupy(node);
                return;
            }
            if (_allocated.TryGetValue(name, out var pending))
            {
                // Allocated earlier but the patch failed or has not reached the cache: send the same range again.
                cidr = pending[0];
            }
            else if (_cidrs.Allocate() is { } next)
            {
                cidr = next;
                _allocated[name] = [cidr];
            }
            else
            {
                _recorder.Normal(node, "CIDRNotAvailable", $"Node {name} status is now: CIDRNotAvailable");
                throw new InvalidOperationException($"failed to allocate cidr from cluster cidr {_options.ClusterCidr}: no remaining CIDRs left to allocate");
            }
        }
        try
        {
            await _context.Client.For<V1Node>().PatchAsync(null, name, PatchType.Merge,
                new { spec = new { podCIDR = cidr, podCIDRs = new[] { cidr } } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            LogAllocated(_logger, cidr, name);
        }
        catch (ApiClientException ex) when (ex.IsNotFound)
        {
            // The node is gone: free the range.
            lock (_allocated) Release(name);
            LogNodeGone(_logger, name);
        }
    }

    /// <summary>Marks the node's ranges taken and remembers them as its own.</summary>
    private void Occupy(V1Node node)
    {
        var cidrs = PodCidrs(node);
        if (cidrs.Count == 0) return;
        if (_allocated.TryGetValue(node.Name(), out var previous) && !previous.SequenceEqual(cidrs))
        {
            // A range allocated for the node lost to one set by someone else: give ours back.
            foreach (var cidr in previous) _cidrs.Release(cidr);
        }
        _allocated[node.Name()] = cidrs;
        foreach (var cidr in cidrs)
        {
            if (!_cidrs.Occupy(cidr)) LogOutsideClusterCidr(_logger, cidr, node.Name(), _options.ClusterCidr);
        }
    }

    private void Release(string name)
    {
        if (!_allocated.Remove(name, out var cidrs)) return;
        foreach (var cidr in cidrs) _cidrs.Release(cidr);
        LogReleased(_logger, string.Join(",", cidrs), name);
    }

    private static IReadOnlyList<string> PodCidrs(V1Node node) =>
        node.Spec?.PodCIDRs is { Count: > 0 } list ? [.. list] : node.Spec?.PodCIDR is { Length: > 0 } one ? [one] : [];

    [LoggerMessage(Level = LogLevel.Information, Message = "set podCIDR {Cidr} on node {Node}")]
    private static partial void LogAllocated(ILogger logger, string cidr, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "released podCIDRs {Cidrs} of deleted node {Node}")]
    private static partial void LogReleased(ILogger logger, string cidrs, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} vanished before its podCIDR was set")]
    private static partial void LogNodeGone(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "podCIDR {Cidr} of node {Node} is outside the cluster CIDR {ClusterCidr}")]
    private static partial void LogOutsideClusterCidr(ILogger logger, string cidr, string node, string clusterCidr);
}
