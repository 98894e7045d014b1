using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.Endpoints;

/// <summary>
/// Kubernetes' endpoints controller: keeps, for every Service with a selector, an Endpoints object of the same name
/// listing the matching pods' addresses (ready ones in addresses, the others in notReadyAddresses unless the service
/// publishes not-ready addresses) with the ports each pod serves (named targetPorts resolved per pod). Services
/// without a selector and ExternalName services are left alone; the Endpoints of a deleted Service are deleted.
/// </summary>
public sealed partial class EndpointsController : IController
{
    /// <summary>Annotation marking truncated Endpoints.</summary>
    public const string OverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";

    // Endpoints used for leader election by old components carry this annotation and are not the controller's.
    private const string LeaderAnnotation = "control-plane.alpha.kubernetes.io/leader";

    private readonly ControllerContext _context;
    private readonly EndpointsOptions _options;
    private readonly RateLimitingQueue<string> _queue;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Endpoints> _endpoints;
    private readonly TriggerTimeTracker _triggerTimes = new();
    private readonly ILogger _logger;
    private readonly IDisposable[] _registrations;

    /// <summary>Registers the service, pod and endpoints handlers on the shared informers.</summary>
    public EndpointsController(ControllerContext context, EndpointsOptions? options = null)
    {
        _context = context;
        _options = options ?? new EndpointsOptions();
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _services = context.Informers.For<V1Service>();
        _pods = context.Informers.For<V1Pod>();
        _endpoints = context.Informers.For<V1Endpoints>();
        _logger = context.Loggers.CreateLogger<EndpointsController>();
        _registrations =
        [
            _services.AddEventHandler(onAdd: Enqueue, onUpdate: (_, s) => Enqueue(s), onDelete: Enqueue),
            _pods.AddEventHandler(onAdd: OnPod, onUpdate: (old, pod) => { OnPod(old); OnPod(pod); }, onDelete: OnPod),
            _endpoints.AddEventHandler(onDelete: e => _queue.Add(ObjectKey.Of(e))),
        ];
    }

    /// <inheritdoc />
    public string Name => "endpoint-controller";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Endpoints left behind by a Service deleted while the controller was down (checkLeftoverEndpoints).
            foreach (var endpoints in _endpoints.List())
                if (endpoints.Metadata.Annotations?.ContainsKey(LeaderAnnotation) != true) _queue.Add(ObjectKey.Of(endpoints));
            await new ControllerRunner<string>(Name, _queue, SyncAsync, _context.Loggers).RunAsync(_options.Workers, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var registration in _registrations) registration.Dispose();
            _queue.Dispose();
        }
    }

    private void Enqueue(V1Service service) => _queue.Add(ObjectKey.Of(service));

    private void OnPod(V1Pod pod)
    {
        foreach (var service in EndpointRules.Selecting(_services.List(pod.Metadata.NamespaceProperty), pod.Metadata.Labels)) Enqueue(service);
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var service = _services.Get(ns, name);
        var client = _context.Client.For<V1Endpoints>();
        if (service is null)
        {
            _triggerTimes.Forget(key);
            // The Service is gone: so are its Endpoints (a user's Endpoints without a Service too, as upstream).
            if (_endpoints.Get(ns, name) is { } orphan && orphan.Metadata.Annotations?.ContainsKey(LeaderAnnotation) != true)
                await client.DeleteAsync(ns, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }
        if (service.Spec?.Type == "ExternalName" || !EndpointRules.HasSelector(service)) return;

        var spec = service.Spec!;
        var tolerateUnready = spec.PublishNotReadyAddresses == true;
        var pods = _pods.List(ns).Where(p => EndpointRules.Matches(spec.Selector, p.Metadata.Labels)).ToList();
        var entries = new List<EndpointSubsets.Entry>();
        foreach (var pod in pods)
        {
            if (!EndpointRules.ShouldPodBeInEndpoints(pod, tolerateUnready) || EndpointRules.PodIPv4(pod) is not { } ip) continue;
            var address = new V1EndpointAddress
            {
                Ip = ip,
                NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
                TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = pod.Metadata.NamespaceProperty, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
                Hostname = EndpointRules.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
            };
            var ready = tolerateUnready || EndpointRules.IsPodReady(pod);
            if (spec.Ports is not { Count: > 0 })
            {
                // A headless service may have no ports: its pods are listed without any.
                if (spec.ClusterIP == "None") entries.Add(new EndpointSubsets.Entry(address, [], ready));
                continue;
            }
            foreach (var servicePort in spec.Ports)
            {
                if (EndpointRules.FindPort(pod, servicePort) is not { } number)
                {
                    LogPortNotFound(_logger, servicePort.Name ?? "", pod.Metadata.Name, key);
                    continue;
                }
                entries.Add(new EndpointSubsets.Entry(address,
                    [new Corev1EndpointPort { Name = string.IsNullOrEmpty(servicePort.Name) ? null : servicePort.Name, Port = number, Protocol = servicePort.Protocol ?? "TCP", AppProtocol = servicePort.AppProtocol }],
                    ready));
            }
        }
        var subsets = EndpointSubsets.Repack(entries);
        var trigger = _triggerTimes.Compute(key, service, pods);

        var current = _endpoints.Get(ns, name);
        var labels = new Dictionary<string, string>(service.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (current is not null && SameSubsets(current.Subsets, subsets) && SameLabels(current.Metadata.Labels, labels)
            && CapacityAnnotationCorrect(current))
            return;

        var desired = current is null
            ? new V1Endpoints { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } }
            : ObjectCopy.DeepCopy(current);
        desired.Subsets = subsets;
        desired.Metadata.Annotations ??= new Dictionary<string, string>();
        if (trigger is { } time) desired.Metadata.Annotations[EndpointRules.LastChangeTriggerTime] = EndpointRules.FormatTime(time);
        else desired.Metadata.Annotations.Remove(EndpointRules.LastChangeTriggerTime);
        if (EndpointSubsets.Truncate(desired.Subsets, _options.MaxCapacity)) desired.Metadata.Annotations[OverCapacityAnnotation] = "truncated";
        else desired.Metadata.Annotations.Remove(OverCapacityAnnotation);
        if (EndpointRules.IsHeadless(service)) labels[EndpointRules.HeadlessLabel] = "";
        else labels.Remove(EndpointRules.HeadlessLabel);
        desired.Metadata.Labels = labels;
        try
        {
            if (current is null) await client.CreateAsync(desired, ns, cancellationToken).ConfigureAwait(false);
            else await client.UpdateAsync(desired, cancellationToken).ConfigureAwait(false);
        }
        // A namespace being deleted refuses new objects; the Service goes with it.
        catch (ApiClientException ex) when (current is null && ex.StatusCode == System.Net.HttpStatusCode.Forbidden)
        {
        }
    }

    private bool CapacityAnnotationCorrect(V1Endpoints endpoints) =>
        EndpointSubsets.Count(endpoints.Subsets) <= _options.MaxCapacity && endpoints.Metadata.Annotations?.ContainsKey(OverCapacityAnnotation) != true;

    /// <summary>The labels compared without the headless label, which the Service itself never has.</summary>
    private static bool SameLabels(IDictionary<string, string>? current, Dictionary<string, string> service)
    {
        var compare = (current ?? new Dictionary<string, string>()).Where(l => l.Key != EndpointRules.HeadlessLabel).ToList();
        return compare.Count == service.Count && compare.All(l => service.TryGetValue(l.Key, out var v) && v == l.Value);
    }

    private static bool SameSubsets(IList<V1EndpointSubset>? current, List<V1EndpointSubset> desired) =>
        k8s.KubernetesJson.Serialize(current ?? []) == k8s.KubernetesJson.Serialize(desired);

    [LoggerMessage(Level = LogLevel.Debug, Message = "port {Port} not found on pod {Pod} for service {Service}")]
    private static partial void LogPortNotFound(ILogger logger, string port, string pod, string service);
}
