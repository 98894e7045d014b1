using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using Gantry.Controllers.Endpoints;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.EndpointSlice;

/// <summary>
/// Kubernetes' endpointslice controller: for every Service with a selector, discovery.k8s.io/v1 EndpointSlices
/// (labelled kubernetes.io/service-name and managed-by endpointslice-controller.k8s.io, owned by the Service) holding
/// at most <see cref="EndpointSliceOptions.MaxEndpointsPerSlice"/> endpoints each, one per matching pod with an IP:
/// ready/serving/terminating conditions, node name, zone, hostname and target reference, grouped by the ports the pod
/// serves. Updates keep churn low (see <see cref="SliceReconciler"/>). Slices of deleted Services go with their owner
/// (garbage collector); Services without a selector are left to their users.
/// </summary>
public sealed partial class EndpointSliceController : IController
{
    /// <summary>The managed-by label value of this controller's slices.</summary>
    public const string ControllerName = "endpointslice-controller.k8s.io";

    /// <summary>Label naming a slice's service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>Label naming a slice's manager.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";

    private const string ByService = "service";
    private const string AddressType = "IPv4";
    private const string ZoneLabel = "topology.kubernetes.io/zone";

    private readonly ControllerContext _context;
    private readonly EndpointSliceOptions _options;
    private readonly RateLimitingQueue<string> _queue;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly SliceTracker _tracker = new();
    private readonly TriggerTimeTracker _triggerTimes = new();
    private readonly ILogger _logger;
    private readonly IDisposable[] _registrations;

    /// <summary>Registers the service, pod, node and slice handlers on the shared informers.</summary>
    public EndpointSliceController(ControllerContext context, EndpointSliceOptions? options = null)
    {
        _context = context;
        _options = options ?? new EndpointSliceOptions();
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _services = context.Informers.For<V1Service>();
        _pods = context.Informers.For<V1Pod>();
        _nodes = context.Informers.For<V1Node>();
        _slices = context.Informers.For<V1EndpointSlice>();
        _slices.AddIndexer(ByService, s => Managed(s) ? [ObjectKey.Of(s.Metadata.NamespaceProperty, s.Metadata.Labels![ServiceNameLabel])] : []);
        _logger = context.Loggers.CreateLogger<EndpointSliceController>();
        _registrations =
        [
            _services.AddEventHandler(onAdd: Enqueue, onUpdate: (_, s) => Enqueue(s), onDelete: Enqueue),
            _pods.AddEventHandler(onAdd: OnPod, onUpdate: (old, pod) => { OnPod(old); OnPod(pod); }, onDelete: OnPod),
            _nodes.AddEventHandler(onAdd: OnNode, onUpdate: (old, node) =>
            {
                if (Label(old.Metadata.Labels, ZoneLabel) != Label(node.Metadata.Labels, ZoneLabel)) OnNode(node);
            }),
            _slices.AddEventHandler(onAdd: OnSlice, onUpdate: (_, s) => OnSlice(s), onDelete: s =>
            {
                if (!Managed(s)) return;
                _tracker.Vanished(ServiceKey(s), s);
                OnSlice(s);
            }),
        ];
    }

    /// <inheritdoc />
    public string Name => "endpointslice-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await new ControllerRunner<string>(Name, _queue, SyncAsync, _context.Loggers).RunAsync(_options.Workers, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var registration in _registrations) registration.Dispose();
            _queue.Dispose();
        }
    }

    private static string? Label(IDictionary<string, string>? labels, string key) => labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    private static bool Managed(V1EndpointSlice slice) =>
        Label(slice.Metadata.Labels, ManagedByLabel) == ControllerName && Label(slice.Metadata.Labels, ServiceNameLabel) is not null;

    private static string ServiceKey(V1EndpointSlice slice) => ObjectKey.Of(slice.Metadata.NamespaceProperty, slice.Metadata.Labels![ServiceNameLabel]);

    private void Enqueue(V1Service service) => _queue.Add(ObjectKey.Of(service));

    private void OnPod(V1Pod pod)
    {
        foreach (var service in EndpointRules.Selecting(_services.List(pod.Metadata.NamespaceProperty), pod.Metadata.Labels)) Enqueue(service);
    }

    // A node appearing (or changing zone) matters to the services of the pods on it.
    private void OnNode(V1Node node)
    {
        foreach (var pod in _pods.List().Where(p => p.Spec?.NodeName == node.Metadata.Name)) OnPod(pod);
    }

    // A managed slice changed by someone else (or by us, which the sync finds already in place) is reconciled back.
    private void OnSlice(V1EndpointSlice slice)
    {
        if (Managed(slice)) _queue.Add(ServiceKey(slice));
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var service = _services.Get(ns, name);
        if (service is null)
        {
            _tracker.Forget(key);
            _triggerTimes.Forget(key);
            return;
        }
        if (service.Spec?.Type == "ExternalName" || !EndpointRules.HasSelector(service)) return;
        var spec = service.Spec!;
        // Slices already being deleted are not counted on (dropEndpointSlicesPendingDeletion).
        var existing = _slices.ByIndex(ByService, key).Where(s => s.Metadata.DeletionTimestamp is null).ToList();
        if (_tracker.Stale(key, existing)) throw new InvalidOperationException($"the EndpointSlice cache of {key} is older than this controller's writes");

        var pods = _pods.List(ns).Where(p => EndpointRules.Matches(spec.Selector, p.Metadata.Labels)).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        var desired = new Dictionary<string, SliceReconciler.Group>(StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var pod in pods)
        {
            if (!EndpointRules.ShouldPodBeInEndpoints(pod, includeTerminating: true) || EndpointRules.PodIPv4(pod) is not { } ip) continue;
            var node = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : _nodes.Get(null, pod.Spec.NodeName);
            // A pod on a node that does not exist is left out (and the service retried), unless not-ready addresses are published.
            if (node is null && spec.PublishNotReadyAddresses != true)
            {
                skipped.Add($"skipping Pod {pod.Metadata.Name} for Service {key}: Node {pod.Spec?.NodeName} Not Found");
                continue;
            }
            var ports = EndpointPorts(service, pod);
            var portsKey = SliceKeys.PortsKey(ports);
            if (!desired.TryGetValue(portsKey, out var group)) desired[portsKey] = group = new SliceReconciler.Group(ports, []);
            group.Endpoints.Add(ToEndpoint(pod, ip, node, service));
        }

        var trigger = _triggerTimes.Compute(key, service, pods);
        var labels = SliceLabels(service);
        var plan = new SliceReconciler(service, AddressType, _options.MaxEndpointsPerSlice, labels).Reconcile(existing, desired);
        if (!plan.IsEmpty) await WriteAsync(key, trigger, plan, cancellationToken).ConfigureAwait(false);
        if (skipped.Count > 0) throw new InvalidOperationException(string.Join("; ", skipped));
    }

    private async Task WriteAsync(string key, DateTime? trigger, SlicePlan plan, CancellationToken cancellationToken)
    {
        var client = _context.Client.For<V1EndpointSlice>();
        foreach (var slice in plan.Create.Concat(plan.Update))
        {
            slice.Metadata.Annotations ??= new Dictionary<string, string>();
            if (trigger is { } time) slice.Metadata.Annotations[EndpointRules.LastChangeTriggerTime] = EndpointRules.FormatTime(time);
            else slice.Metadata.Annotations.Remove(EndpointRules.LastChangeTriggerTime);
        }
        foreach (var slice in plan.Create)
        {
            try
            {
                _tracker.Wrote(key, await client.CreateAsync(slice, slice.Metadata.NamespaceProperty, cancellationToken).ConfigureAwait(false));
            }
            // A namespace being deleted refuses new objects; its Service goes with it.
            catch (ApiClientException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Forbidden)
            {
                return;
            }
        }
        foreach (var slice in plan.Update) _tracker.Wrote(key, await client.UpdateAsync(slice, cancellationToken).ConfigureAwait(false));
        foreach (var slice in plan.Delete)
        {
            await client.DeleteAsync(slice.Metadata.NamespaceProperty, slice.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            _tracker.Removed(key, slice);
        }
        LogSynced(_logger, key, plan.Create.Count, plan.Update.Count, plan.Delete.Count);
    }

    /// <summary>The service's labels (but the reserved ones) and the slice labels Kubernetes sets.</summary>
    private static Dictionary<string, string> SliceLabels(V1Service service)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in service.Metadata.Labels ?? new Dictionary<string, string>())
            if (k is not (ServiceNameLabel or ManagedByLabel or EndpointRules.HeadlessLabel)) labels[k] = v;
        if (service.Spec?.ClusterIP == "None") labels[EndpointRules.HeadlessLabel] = "";
        labels[ServiceNameLabel] = service.Metadata.Name;
        labels[ManagedByLabel] = ControllerName;
        return labels;
    }

    /// <summary>The service ports the pod serves, in service order (ports it does not have are left out).</summary>
    private static List<Discoveryv1EndpointPort> EndpointPorts(V1Service service, V1Pod pod)
    {
        var ports = new List<Discoveryv1EndpointPort>();
        foreach (var servicePort in service.Spec.Ports ?? [])
        {
            if (EndpointRules.FindPort(pod, servicePort) is not { } number) continue;
            ports.Add(new Discoveryv1EndpointPort { Name = servicePort.Name ?? "", Port = number, Protocol = servicePort.Protocol ?? "TCP", AppProtocol = servicePort.AppProtocol });
        }
        return ports;
    }

    private static V1Endpoint ToEndpoint(V1Pod pod, string ip, V1Node? node, V1Service service)
    {
        var serving = EndpointRules.IsPodReady(pod);
        var terminating = pod.Metadata.DeletionTimestamp is not null;
        return new V1Endpoint
        {
            Addresses = [ip],
            // A terminating pod is never ready, unless the service publishes not-ready addresses.
            Conditions = new V1EndpointConditions { Ready = service.Spec.PublishNotReadyAddresses == true || serving && !terminating, Serving = serving, Terminating = terminating },
            TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = pod.Metadata.NamespaceProperty, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
            Zone = Label(node?.Metadata.Labels, ZoneLabel) is { Length: > 0 } zone ? zone : null,
            Hostname = EndpointRules.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "endpoint slices of {Service}: {Created} created, {Updated} updated, {Deleted} deleted")]
    private static partial void LogSynced(ILogger logger, string service, int created, int updated, int deleted);
}
