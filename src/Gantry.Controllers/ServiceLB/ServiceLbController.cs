using System.Net;
using System.Net.Sockets;
using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.ServiceLB;

/// <summary>
/// k3s's ServiceLB (klipper-lb) without its svclb DaemonSet: every service proxy already answers load-balancer IPs,
/// so a Service of type LoadBalancer (without a loadBalancerClass) is given status.loadBalancer.ingress = the
/// addresses of the Ready nodes — each node's ExternalIPs, or its InternalIPs when it has none, of the Service's IP
/// families, sorted, ipMode VIP — and traffic to any of them reaches the endpoints. As in k3s, when some node carries
/// the label svccontroller.k3s.cattle.io/enablelb=true only such nodes count. A Service that is no longer of type
/// LoadBalancer has its ingress cleared, as the cloud service controller does.
/// </summary>
public sealed partial class ServiceLbController : IController
{
    /// <summary>The node label that restricts ServiceLB to the nodes carrying it (value "true").</summary>
    public const string EnableLbLabel = "svccontroller.k3s.cattle.io/enablelb";

    private readonly ControllerContext _context;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Node> _nodes;
    private readonly RateLimitingQueue<string> _queue;
    private readonly EventRecorder _recorder;
    private readonly ILogger _logger;

    /// <summary>Registers the Service and Node informers and their handlers.</summary>
    public ServiceLbController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<ServiceLbController>();
        _recorder = context.Recorder("service-lb-controller");
        _queue = new RateLimitingQueue<string>(time: context.Time);
        _services = context.Informers.For<V1Service>();
        _nodes = context.Informers.For<V1Node>();
        _services.AddEventHandler(onAdd: Enqueue, onUpdate: (_, s) => Enqueue(s), onDelete: null);
        // A node that comes, goes, turns Ready or changes address changes every load balancer's ingress.
        _nodes.AddEventHandler(onAdd: _ => EnqueueAll(), onUpdate: (before, after) =>
        {
            if (Ready(before) != Ready(after) || !Addresses(before).SequenceEqual(Addresses(after)) || Enabled(before) != Enabled(after)) EnqueueAll();
        }, onDelete: _ => EnqueueAll());
    }

    /// <inheritdoc />
    public string Name => "service-lb-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_services.WaitForSyncAsync(cancellationToken), _nodes.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
        await new ControllerRunner<string>("service-lb", _queue, SyncAsync, _context.Loggers).RunAsync(1, cancellationToken).ConfigureAwait(false);
    }

    private void Enqueue(V1Service service) => _queue.Add(ObjectKey.Of(service));

    private void EnqueueAll()
    {
        foreach (var service in _services.List()) Enqueue(service);
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var service = _services.Get(ns, name);
        if (service?.Spec is null || service.Spec.LoadBalancerClass is not null) return;
        var current = service.Status?.LoadBalancer?.Ingress ?? [];
        List<V1LoadBalancerIngress> desired = service.Spec.Type == "LoadBalancer" ? Ingress(service) : [];
        if (current.Select(i => (i.Ip, i.IpMode)).SequenceEqual(desired.Select(i => (i.Ip, i.IpMode)))) return;
        if (current.Count == 0 && desired.Count == 0) return;
        var updated = ObjectCopy.DeepCopy(service);
        updated.Status ??= new V1ServiceStatus();
        updated.Status.LoadBalancer = new V1LoadBalancerStatus { Ingress = desired.Count == 0 ? null : desired };
        try
        {
            await _context.Client.For<V1Service>().UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiClientException ex) when (ex.IsNotFound)
        {
            return;
        }
        var addresses = string.Join(", ", desired.Select(i => i.Ip));
        LogIngress(_logger, key, addresses.Length == 0 ? "none" : addresses);
        _recorder.Normal(service, "UpdatedIngressIP", $"LoadBalancer Ingress IP addresses updated: {addresses}");
    }

    private List<V1LoadBalancerIngress> Ingress(V1Service service)
    {
        var families = service.Spec.IpFamilies is { Count: > 0 } list
            ? list.Select(f => f == "IPv6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork).ToHashSet()
            : [AddressFamily.InterNetwork];
        var nodes = _nodes.List().Where(Ready).ToList();
        if (nodes.Any(Enabled)) nodes = [.. nodes.Where(Enabled)];
        return [.. nodes.SelectMany(Addresses)
            .Where(a => families.Contains(a.AddressFamily))
            .Distinct()
            .OrderBy(a => a.AddressFamily).ThenBy(a => a.GetAddressBytes(), ByteOrder.Instance)
            .Select(a => new V1LoadBalancerIngress { Ip = a.ToString(), IpMode = "VIP" })];
    }

    /// <summary>The node's ExternalIPs, or its InternalIPs when it has none (k3s's choice of node address for svclb).</summary>
    private static List<IPAddress> Addresses(V1Node node)
    {
        var addresses = node.Status?.Addresses ?? [];
        var external = addresses.Where(a => a.Type == "ExternalIP").ToList();
        var chosen = external.Count > 0 ? external : addresses.Where(a => a.Type == "InternalIP").ToList();
        return [.. chosen.Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null).OfType<IPAddress>()];
    }

    private static bool Ready(V1Node node) => node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static bool Enabled(V1Node node) => node.Metadata.Labels?.TryGetValue(EnableLbLabel, out var value) == true && value == "true";

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => ((ReadOnlySpan<byte>)x).SequenceCompareTo(y);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "load balancer ingress of service {Service} set to {Addresses}")]
    private static partial void LogIngress(ILogger logger, string service, string addresses);
}
