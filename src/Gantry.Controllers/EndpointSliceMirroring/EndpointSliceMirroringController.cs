using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using Gantry.Controllers.EndpointSlice;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.EndpointSliceMirroring;

/// <summary>
/// Kubernetes' endpointslicemirroring controller: a Service without a selector gets its endpoints from an Endpoints
/// object its user writes; this controller mirrors that object into EndpointSlices (labelled kubernetes.io/service-name
/// and managed-by endpointslicemirroring-controller.k8s.io, owned by the Endpoints), which is what the service proxy
/// and DNS read. Endpoints labelled endpointslice.kubernetes.io/skip-mirror=true or carrying a leader-election
/// annotation are not mirrored; mirrored slices go when the Endpoints or the Service goes or the Service gains a selector.
/// </summary>
public sealed partial class EndpointSliceMirroringController : IController
{
    /// <summary>The managed-by label value of mirrored slices.</summary>
    public const string ControllerName = "endpointslicemirroring-controller.k8s.io";

    /// <summary>Label that keeps an Endpoints object from being mirrored.</summary>
    public const string SkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";

    private const string LeaderAnnotation = "control-plane.alpha.kubernetes.io/leader";
    private const string ByEndpoints = "endpoints";

    private readonly ControllerContext _context;
    private readonly EndpointSliceMirroringOptions _options;
    private readonly RateLimitingQueue<string> _queue;
    private readonly Informer<V1Endpoints> _endpoints;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly SliceTracker _tracker = new();
    private readonly EventRecorder _events;
    private readonly ILogger _logger;
    private readonly IDisposable[] _registrations;

    /// <summary>Registers the endpoints, service and slice handlers on the shared informers.</summary>
    public EndpointSliceMirroringController(ControllerContext context, EndpointSliceMirroringOptions? options = null)
    {
        _context = context;
        _options = options ?? new EndpointSliceMirroringOptions();
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _endpoints = context.Informers.For<V1Endpoints>();
        _services = context.Informers.For<V1Service>();
        _slices = context.Informers.For<V1EndpointSlice>();
        _slices.AddIndexer(ByEndpoints, s => Mirrored(s) ? [EndpointsKey(s)] : []);
        _events = context.Recorder("endpointslice-mirroring-controller");
        _logger = context.Loggers.CreateLogger<EndpointSliceMirroringController>();
        _registrations =
        [
            _endpoints.AddEventHandler(
                onAdd: e => { if (ShouldMirror(e)) Enqueue(e); },
                onUpdate: (old, e) => { if (ShouldMirror(old) || ShouldMirror(e)) Enqueue(e); },
                onDelete: e => { if (ShouldMirror(e)) Enqueue(e); }),
            _services.AddEventHandler(
                onAdd: s => { if (s.Spec?.Selector is null) Enqueue(s); },
                onUpdate: (old, s) => { if ((old.Spec?.Selector is null) != (s.Spec?.Selector is null)) Enqueue(s); },
                onDelete: s => { if (s.Spec?.Selector is null) Enqueue(s); }),
            // A mirrored slice changed or deleted by someone else is put back.
            _slices.AddEventHandler(
                onAdd: OnSlice,
                onUpdate: (old, s) =>
                {
                    if (Mirrored(old) && (!Mirrored(s) || EndpointsKey(old) != EndpointsKey(s))) _queue.Add(EndpointsKey(old));
                    OnSlice(s);
                },
                onDelete: s =>
                {
                    if (!Mirrored(s)) return;
                    _tracker.Vanished(EndpointsKey(s), s);
                    _queue.Add(EndpointsKey(s));
                }),
        ];
    }

    /// <inheritdoc />
    public string Name => "endpointslice-mirroring-controller";

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

    private static bool ShouldMirror(V1Endpoints endpoints) =>
        !(endpoints.Metadata.Labels?.TryGetValue(SkipMirrorLabel, out var skip) == true && skip == "true")
        && endpoints.Metadata.Annotations?.ContainsKey(LeaderAnnotation) != true;

    private static bool Mirrored(V1EndpointSlice slice) =>
        slice.Metadata.Labels is { } labels && labels.TryGetValue(EndpointSliceController.ManagedByLabel, out var by) && by == ControllerName
        && labels.TryGetValue(EndpointSliceController.ServiceNameLabel, out var service) && service.Length > 0;

    private static string EndpointsKey(V1EndpointSlice slice) => ObjectKey.Of(slice.Metadata.NamespaceProperty, slice.Metadata.Labels![EndpointSliceController.ServiceNameLabel]);

    private void Enqueue(IKubernetesObject<V1ObjectMeta> obj) => _queue.Add(ObjectKey.Of(obj.Metadata.NamespaceProperty, obj.Metadata.Name));

    private void OnSlice(V1EndpointSlice slice)
    {
        if (Mirrored(slice)) _queue.Add(EndpointsKey(slice));
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        var existing = _slices.ByIndex(ByEndpoints, key);
        var endpoints = _endpoints.Get(ns, name);
        var service = _services.Get(ns, name);
        // Mirrored only while the Endpoints may be and its Service exists without a selector.
        if (endpoints is null || !ShouldMirror(endpoints) || service is null || service.Spec?.Selector is not null)
        {
            _tracker.Forget(key);
            await DeleteAsync(key, existing, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (_tracker.Stale(key, existing)) throw new InvalidOperationException($"the EndpointSlice cache of {key} is older than this controller's writes");

        var plan = new MirrorPlanner(endpoints, _options.MaxEndpointsPerSubset).Plan(existing, out var skipped);
        if (skipped.InvalidAddresses > 0)
            _events.Warning(endpoints, "InvalidIPAddress", $"Skipped {skipped.InvalidAddresses} invalid IP addresses when mirroring to EndpointSlices");
        if (skipped.OverLimit > 0)
            _events.Warning(endpoints, "TooManyAddressesToMirror",
                $"A max of {_options.MaxEndpointsPerSubset} addresses can be mirrored to EndpointSlices per Endpoints subset. {skipped.OverLimit} addresses were skipped");
        if (plan.IsEmpty) return;

        var client = _context.Client.For<V1EndpointSlice>();
        // No new slices for an Endpoints object on its way out.
        if (endpoints.Metadata.DeletionTimestamp is null)
        {
            foreach (var slice in plan.Create)
            {
                try
                {
                    _tracker.Wrote(key, await client.CreateAsync(slice, ns, cancellationToken).ConfigureAwait(false));
                }
                // A namespace being deleted refuses new objects; the Endpoints go with it.
                catch (ApiClientException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Forbidden)
                {
                    return;
                }
            }
        }
        foreach (var slice in plan.Update) _tracker.Wrote(key, await client.UpdateAsync(slice, cancellationToken).ConfigureAwait(false));
        await DeleteAsync(key, plan.Delete, cancellationToken).ConfigureAwait(false);
        LogSynced(_logger, key, plan.Create.Count, plan.Update.Count, plan.Delete.Count);
    }

    private async Task DeleteAsync(string key, IEnumerable<V1EndpointSlice> slices, CancellationToken cancellationToken)
    {
        var client = _context.Client.For<V1EndpointSlice>();
        foreach (var slice in slices)
        {
            try
            {
                await client.DeleteAsync(slice.Metadata.NamespaceProperty, slice.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ApiClientException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
            _tracker.Removed(key, slice);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "mirrored endpoint slices of {Endpoints}: {Created} created, {Updated} updated, {Deleted} deleted")]
    private static partial void LogSynced(ILogger logger, string endpoints, int created, int updated, int deleted);
}
