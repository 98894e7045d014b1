using Gantry.Api.Registry;
using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using Gantry.Controllers.GarbageCollector;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.Namespace;

/// <summary>
/// Empties namespaces that are being deleted, as kube-controller-manager's namespace controller does: deletes every
/// namespaced object of every served resource, reports progress as status conditions, waits for graceful pods and
/// finalizers, then removes the "kubernetes" finalizer through namespaces/{name}/finalize so the API server deletes the
/// namespace.
/// </summary>
public sealed partial class NamespaceController : IController
{
    private const string KubernetesFinalizer = "kubernetes";
    private readonly ControllerContext _context;
    private readonly NamespaceOptions _options;
    private readonly ILogger _logger;
    private readonly RateLimitingQueue<string> _queue;
    private readonly IResourceClient<V1Namespace> _namespaces;
    private readonly IReadOnlyList<IResourceAccess> _resources;

    /// <summary>Watches namespaces through the context's shared informer.</summary>
    public NamespaceController(ControllerContext context, NamespaceOptions? options = null)
    {
        _context = context;
        _options = options ?? new NamespaceOptions();
        _logger = context.Loggers.CreateLogger<NamespaceController>();
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _namespaces = context.Client.For<V1Namespace>();
        _resources = [.. NamespacedResources().Select(d => ResourceAccess.Create(context.Client, d)).OfType<IResourceAccess>()];
        context.Informers.For<V1Namespace>().AddEventHandler(onAdd: Enqueue, onUpdate: (_, ns) => Enqueue(ns));
    }

    /// <inheritdoc />
    public string Name => "namespace-controller";

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) =>
        new ControllerRunner<string>(Name, _queue, ReconcileAsync, _context.Loggers).RunAsync(_options.Workers, cancellationToken);

    private void Enqueue(V1Namespace ns)
    {
        if (ns.Metadata.DeletionTimestamp is not null) _queue.AddAfter(ns.Metadata.Name, _options.DeletionGracePeriod);
    }

    private async Task ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        // The cache may lag; deleting content is decided on the namespace as the API holds it now.
        var ns = await _namespaces.GetAsync(null, name, cancellationToken).ConfigureAwait(false);
        if (ns?.Metadata.DeletionTimestamp is null) return;
        if (ns.Spec?.Finalizers?.Contains(KubernetesFinalizer) != true) return;
        var result = await DeleteContentAsync(name, cancellationToken).ConfigureAwait(false);
        ns = await UpdateConditionsAsync(ns, result, cancellationToken).ConfigureAwait(false);
        if (result.Errors.Count > 0) throw new InvalidOperationException($"deletion of namespace {name} failed: {string.Join("; ", result.Errors)}");
        if (result.Remaining.Count > 0)
        {
            var delay = TimeSpan.FromSeconds(result.EstimateSeconds / 2) + _options.RecheckDelay;
            LogContentRemaining(_logger, name, delay);
            _queue.AddAfter(name, delay);
            return;
        }
        var finalized = ObjectCopy.DeepCopy(ns);
        finalized.Spec.Finalizers = [.. finalized.Spec.Finalizers.Where(f => f != KubernetesFinalizer)];
        await _namespaces.UpdateSubresourceAsync(finalized, "finalize", cancellationToken).ConfigureAwait(false);
        LogFinalized(_logger, name);
    }

    private async Task<ContentDeletion> DeleteContentAsync(string ns, CancellationToken cancellationToken)
    {
        var result = new ContentDeletion();
        foreach (var resource in _resources)
        {
            var id = GraphItem.ResourceId(resource.Definition);
            try
            {
                await DeleteAllAsync(resource, ns, cancellationToken).ConfigureAwait(false);
                var left = await resource.ListAsync(ns, cancellationToken).ConfigureAwait(false);
                if (left.Count == 0) continue;
                result.Remaining[id] = left.Count;
                var estimate = 0L;
                foreach (var item in left)
                {
                    // Pods stay while their node agent stops them; a deleted pod's grace period says how long that takes.
                    if (resource.Definition is { Group: "", Kind: "Pod" }) estimate = Math.Max(estimate, item.DeletionGracePeriodSeconds ?? 30);
                    foreach (var finalizer in item.Finalizers ?? [])
                        result.FinalizersRemaining[finalizer] = result.FinalizersRemaining.GetValueOrDefault(finalizer) + 1;
                    if (item.Finalizers is { Count: > 0 }) estimate = Math.Max(estimate, (long)Math.Ceiling(_options.FinalizerEstimate.TotalSeconds));
                }
                if (estimate == 0) result.Errors.Add($"unexpected items still remain in namespace: {ns} for gvr: {id}");
                result.EstimateSeconds = Math.Max(result.EstimateSeconds, estimate);
            }
            catch (ApiClientException ex)
            {
                result.Errors.Add($"{id}: {ex.Message}");
            }
        }
        return result;
    }

    private static async Task DeleteAllAsync(IResourceAccess resource, string ns, CancellationToken cancellationToken)
    {
        if (resource.Definition.Verbs.Contains("deletecollection"))
        {
            await resource.DeleteCollectionAsync(ns, cancellationToken).ConfigureAwait(false);
            return;
        }
        foreach (var item in await resource.ListAsync(ns, cancellationToken).ConfigureAwait(false))
            await resource.DeleteAsync(ns, item.Name, DeleteOptions.Background, cancellationToken).ConfigureAwait(false);
    }

    private async Task<V1Namespace> UpdateConditionsAsync(V1Namespace ns, ContentDeletion result, CancellationToken cancellationToken)
    {
        var updated = ObjectCopy.DeepCopy(ns);
        updated.Status ??= new V1NamespaceStatus();
        var changed = NamespaceConditions.Merge(updated.Status, NamespaceConditions.Describe(result, _context.Time.GetUtcNow().UtcDateTime));
        if (updated.Status.Phase != "Terminating")
        {
            updated.Status.Phase = "Terminating";
            changed = true;
        }
        return changed ? await _namespaces.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false) : ns;
    }

    /// <summary>Every served namespaced resource that stores objects (events.k8s.io events share core events' storage).</summary>
    private static IEnumerable<ResourceDefinition> NamespacedResources() =>
        ResourceRegistry.BuiltIn.Resources.Where(d => d.Namespaced && !d.CreateOnly && d.StorageResource is null
            && d.Verbs.Contains("list") && d.Verbs.Contains("delete"));

    [LoggerMessage(Level = LogLevel.Information, Message = "namespace {Namespace}: content remaining, looking again in {Delay}")]
    private static partial void LogContentRemaining(ILogger logger, string @namespace, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "namespace {Namespace}: content deleted; finalized")]
    private static partial void LogFinalized(ILogger logger, string @namespace);
}
