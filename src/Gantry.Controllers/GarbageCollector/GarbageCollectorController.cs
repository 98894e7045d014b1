using System.Collections.Concurrent;
using Gantry.Api.Registry;
using Gantry.Client;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>
/// Deletes objects whose owners are gone (background deletion), deletes the dependents of owners deleted in the
/// foreground before releasing them, and orphans the dependents of owners deleted with the orphan policy — as
/// kube-controller-manager's garbage collector does. The dependency graph is the ownerReferences indexes of the shared
/// informers; every decision is re-checked against the API before an object is deleted.
/// </summary>
public sealed partial class GarbageCollectorController : IController, IGraphEvents
{
    private readonly ControllerContext _context;
    private readonly GarbageCollectorOptions _options;
    private readonly ILogger _logger;
    private readonly RateLimitingQueue<GraphItem> _queue;
    private readonly Dictionary<string, IMonitoredResource> _monitored = [];
    private readonly ConcurrentDictionary<string, IResourceAccess?> _access = new();
    // Uids the API said are gone. A uid is never reused, so this only saves GETs (one per dependent of a deleted owner).
    private readonly ConcurrentDictionary<string, bool> _absentOwners = new(StringComparer.Ordinal);
    private const int AbsentOwnersCapacity = 500;

    /// <summary>Watches the configured resources through the context's shared informers.</summary>
    public GarbageCollectorController(ControllerContext context, GarbageCollectorOptions? options = null)
    {
        _context = context;
        _options = options ?? new GarbageCollectorOptions();
        _logger = context.Loggers.CreateLogger<GarbageCollectorController>();
        _queue = new RateLimitingQueue<GraphItem>(RateLimiters.DefaultController<GraphItem>(context.Time), context.Time);
        foreach (var definition in ResourceRegistry.BuiltIn.Resources)
        {
            var id = GraphItem.ResourceId(definition);
            if (!_options.Resources.Contains(id) || _monitored.ContainsKey(id)) continue;
            var access = Access(definition) ?? throw new InvalidOperationException($"{id} has no KubernetesClient model type");
            var type = typeof(MonitoredResource<>).MakeGenericType(ResourceAccess.ModelType(definition)!);
            _monitored[id] = (IMonitoredResource)Activator.CreateInstance(type, context, access, this)!;
        }
    }

    /// <inheritdoc />
    public string Name => "garbage-collector-controller";

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) =>
        new ControllerRunner<GraphItem>(Name, _queue, ReconcileAsync, _context.Loggers).RunAsync(_options.Workers, cancellationToken);

    void IGraphEvents.OnAdded(IMonitoredResource resource, V1ObjectMeta meta)
    {
        if (meta.OwnerReferences is { Count: > 0 } || IsCollectorDeleting(meta)) Enqueue(resource, meta);
    }

    void IGraphEvents.OnUpdated(IMonitoredResource resource, V1ObjectMeta old, V1ObjectMeta current)
    {
        var referencesChanged = !SameReferences(old.OwnerReferences, current.OwnerReferences);
        if (referencesChanged)
        {
            Enqueue(resource, current);
            // An owner deleted in the foreground may have been waiting for exactly this dependent to let go.
            foreach (var removed in old.OwnerReferences ?? [])
            {
                if (current.OwnerReferences?.Any(r => r.Uid == removed.Uid) != true) EnqueueOwner(removed, current.NamespaceProperty);
            }
        }
        else if (IsCollectorDeleting(current) && (old.DeletionTimestamp is null || !SameFinalizers(old.Finalizers, current.Finalizers)))
        {
            Enqueue(resource, current);
        }
    }

    void IGraphEvents.OnDeleted(IMonitoredResource resource, V1ObjectMeta last)
    {
        foreach (var (dependentResource, dependent) in DependentsOf(last.Uid)) Enqueue(dependentResource, dependent);
        foreach (var owner in last.OwnerReferences ?? []) EnqueueOwner(owner, last.NamespaceProperty);
    }

    private async Task ReconcileAsync(GraphItem item, CancellationToken cancellationToken)
    {
        if (!_monitored.TryGetValue(item.Resource, out var resource)) return;
        var meta = resource.GetCached(item.Namespace, item.Name);
        if (meta is null) return;
        if (meta.DeletionTimestamp is not null)
        {
            if (Finalizers.Has(meta, Finalizers.Orphan)) await OrphanDependentsAsync(resource, meta, cancellationToken).ConfigureAwait(false);
            else if (Finalizers.Has(meta, Finalizers.ForegroundDeletion)) await ProcessDeletingDependentsAsync(resource, meta, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (meta.OwnerReferences is { Count: > 0 }) await AttemptToDeleteAsync(resource, meta, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The orphan policy: strip this owner from every dependent's ownerReferences, then drop the finalizer.</summary>
    private async Task OrphanDependentsAsync(IMonitoredResource resource, V1ObjectMeta owner, CancellationToken cancellationToken)
    {
        foreach (var (dependentResource, dependent) in await LiveDependentsAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            var remaining = dependent.OwnerReferences.Where(r => r.Uid != owner.Uid).ToList();
            await PatchOwnerReferencesAsync(dependentResource, dependent, remaining, cancellationToken).ConfigureAwait(false);
        }
        await RemoveFinalizerAsync(resource, owner, Finalizers.Orphan, cancellationToken).ConfigureAwait(false);
        LogOrphaned(_logger, resource.Access.Definition.Kind, owner.NamespaceProperty, owner.Name);
    }

    /// <summary>
    /// The foreground policy: the owner waits while dependents that block its deletion exist; the dependents not yet
    /// being deleted are queued, and their own reconcile (which sees the owner waiting) deletes them.
    /// </summary>
    private async Task ProcessDeletingDependentsAsync(IMonitoredResource resource, V1ObjectMeta owner, CancellationToken cancellationToken)
    {
        var dependents = DependentsOf(owner.Uid);
        var blocking = dependents.Where(d => IsBlocking(d.Meta, owner)).ToList();
        if (blocking.Count == 0)
        {
            var live = (await LiveDependentsAsync(owner, cancellationToken).ConfigureAwait(false)).Where(d => IsBlocking(d.Meta, owner)).ToList();
            if (live.Count == 0)
            {
                await RemoveFinalizerAsync(resource, owner, Finalizers.ForegroundDeletion, cancellationToken).ConfigureAwait(false);
                return;
            }
            // Dependents the caches have not seen yet: their arrival queues them, their deletion queues this owner again.
            foreach (var (dependentResource, dependent) in live) Enqueue(dependentResource, dependent);
            return;
        }
        foreach (var (dependentResource, dependent) in dependents)
        {
            if (dependent.DeletionTimestamp is null) Enqueue(dependentResource, dependent);
        }
    }

    /// <summary>
    /// A dependent: delete it when it has no live owner left, or drop the references that no longer hold. Anything but
    /// "all owners hold" is decided again on the object as the API holds it (<paramref name="live"/>): the cached copy
    /// may predate a change of its ownerReferences, such as this collector orphaning it.
    /// </summary>
    private async Task AttemptToDeleteAsync(IMonitoredResource resource, V1ObjectMeta item, CancellationToken cancellationToken, bool live = false)
    {
        if (item.OwnerReferences is not { Count: > 0 }) return;
        var solid = new List<V1OwnerReference>();
        var dangling = new List<V1OwnerReference>();
        var waiting = new List<V1OwnerReference>();
        foreach (var reference in item.OwnerReferences)
        {
            switch (await ClassifyOwnerAsync(reference, item.NamespaceProperty, cancellationToken).ConfigureAwait(false))
            {
                case OwnerState.Dangling: dangling.Add(reference); break;
                case OwnerState.WaitingForDependents: waiting.Add(reference); break;
                default: solid.Add(reference); break;
            }
        }
        var definition = resource.Access.Definition;
        if (dangling.Count == 0 && waiting.Count == 0) return;
        if (!live)
        {
            var latest = await resource.Access.GetAsync(item.NamespaceProperty, item.Name, cancellationToken).ConfigureAwait(false);
            if (latest is null || latest.Uid != item.Uid) return;
            await AttemptToDeleteAsync(resource, latest, cancellationToken, live: true).ConfigureAwait(false);
            return;
        }
        if (solid.Count > 0)
        {
            await PatchOwnerReferencesAsync(resource, item, solid, cancellationToken).ConfigureAwait(false);
            return;
        }
        string policy;
        if (waiting.Count > 0 && DependentsOf(item.Uid).Count > 0)
        {
            // This item's own dependents must go first, so it is deleted in the foreground; its references to the waiting
            // owners stop blocking them, or two foreground deletions could wait on each other.
            if (waiting.Any(r => r.BlockOwnerDeletion == true))
            {
                var unblocked = item.OwnerReferences.Select(r => waiting.Any(w => w.Uid == r.Uid) ? Unblocked(r) : r).ToList();
                await PatchOwnerReferencesAsync(resource, item, unblocked, cancellationToken).ConfigureAwait(false);
            }
            policy = "Foreground";
        }
        else
        {
            policy = Finalizers.Has(item, Finalizers.Orphan) ? "Orphan" : Finalizers.Has(item, Finalizers.ForegroundDeletion) ? "Foreground" : "Background";
        }
        LogDeleting(_logger, definition.Kind, item.NamespaceProperty, item.Name, policy);
        await resource.Access.DeleteAsync(item.NamespaceProperty, item.Name, new DeleteOptions { PropagationPolicy = policy, PreconditionUid = item.Uid, PreconditionResourceVersion = item.ResourceVersion },
            cancellationToken).ConfigureAwait(false);
    }

    private enum OwnerState { Solid, Dangling, WaitingForDependents }

    /// <summary>
    /// Whether an owner is alive: the cache answers when it holds the owner; otherwise the API does (a cache may lag a
    /// freshly created owner). A reference whose uid does not match the live object is dangling.
    /// </summary>
    private async Task<OwnerState> ClassifyOwnerAsync(V1OwnerReference reference, string? ns, CancellationToken cancellationToken)
    {
        var definition = Resolve(reference.ApiVersion, reference.Kind);
        if (definition is null)
        {
            LogUnresolvableOwner(_logger, reference.ApiVersion, reference.Kind, reference.Name);
            return OwnerState.Solid;
        }
        var ownerNs = definition.Namespaced ? ns : null;
        var owner = _monitored.TryGetValue(GraphItem.ResourceId(definition), out var monitored) ? monitored.GetCached(ownerNs, reference.Name) : null;
        if (owner is null || owner.Uid != reference.Uid)
        {
            if (_absentOwners.ContainsKey(reference.Uid)) return OwnerState.Dangling;
            var access = Access(definition);
            if (access is null) return OwnerState.Solid;
            owner = await access.GetAsync(ownerNs, reference.Name, cancellationToken).ConfigureAwait(false);
        }
        if (owner is null || owner.Uid != reference.Uid)
        {
            if (_absentOwners.Count >= AbsentOwnersCapacity) _absentOwners.Clear();
            _absentOwners.TryAdd(reference.Uid, true);
            return OwnerState.Dangling;
        }
        return Finalizers.IsDeletingDependents(owner) ? OwnerState.WaitingForDependents : OwnerState.Solid;
    }

    private static V1OwnerReference Unblocked(V1OwnerReference r) => new()
    {
        ApiVersion = r.ApiVersion, Kind = r.Kind, Name = r.Name, Uid = r.Uid, Controller = r.Controller, BlockOwnerDeletion = false,
    };

    private List<(IMonitoredResource Resource, V1ObjectMeta Meta)> DependentsOf(string? uid)
    {
        var result = new List<(IMonitoredResource, V1ObjectMeta)>();
        if (string.IsNullOrEmpty(uid)) return result;
        foreach (var resource in _monitored.Values)
        {
            foreach (var dependent in resource.Dependents(uid)) result.Add((resource, dependent));
        }
        return result;
    }

    /// <summary>
    /// The dependents of an owner as the API holds them now. Used before an owner is released (orphan, foreground): a
    /// dependent created just before the owner's deletion may not have reached the caches yet, and would otherwise be
    /// left pointing at a deleted owner — and then collected as dangling.
    /// </summary>
    private async Task<List<(IMonitoredResource Resource, V1ObjectMeta Meta)>> LiveDependentsAsync(V1ObjectMeta owner, CancellationToken cancellationToken)
    {
        var lists = _monitored.Values.Select(async resource =>
        {
            var items = await resource.Access.ListAsync(owner.NamespaceProperty, cancellationToken).ConfigureAwait(false);
            return items.Where(i => i.OwnerReferences?.Any(r => r.Uid == owner.Uid) == true).Select(i => (resource, i));
        });
        return [.. (await Task.WhenAll(lists).ConfigureAwait(false)).SelectMany(l => l)];
    }

    private static bool IsBlocking(V1ObjectMeta dependent, V1ObjectMeta owner) =>
        dependent.OwnerReferences?.Any(r => r.Uid == owner.Uid && r.BlockOwnerDeletion == true) == true;

    private static Task PatchOwnerReferencesAsync(IMonitoredResource resource, V1ObjectMeta item, IReadOnlyList<V1OwnerReference> references,
        CancellationToken cancellationToken) =>
        resource.Access.PatchAsync(item.NamespaceProperty, item.Name, MetadataPatch.OwnerReferences(item.ResourceVersion, references), cancellationToken);

    private static Task RemoveFinalizerAsync(IMonitoredResource resource, V1ObjectMeta item, string finalizer, CancellationToken cancellationToken) =>
        resource.Access.PatchAsync(item.NamespaceProperty, item.Name,
            MetadataPatch.Finalizers(item.ResourceVersion, [.. item.Finalizers.Where(f => f != finalizer)]), cancellationToken);

    private void Enqueue(IMonitoredResource resource, V1ObjectMeta meta) =>
        _queue.Add(new GraphItem(GraphItem.ResourceId(resource.Access.Definition), meta.NamespaceProperty, meta.Name));

    private void EnqueueOwner(V1OwnerReference reference, string? dependentNs)
    {
        if (Resolve(reference.ApiVersion, reference.Kind) is not { } definition) return;
        var id = GraphItem.ResourceId(definition);
        if (_monitored.ContainsKey(id)) _queue.Add(new GraphItem(id, definition.Namespaced ? dependentNs : null, reference.Name));
    }

    private IResourceAccess? Access(ResourceDefinition definition) =>
        _access.GetOrAdd(GraphItem.ResourceId(definition), static (_, state) => ResourceAccess.Create(state.Client, state.Definition),
            (_context.Client, Definition: definition));

    /// <summary>The served resource of an ownerReference's apiVersion and kind (any served version of the group will do).</summary>
    private static ResourceDefinition? Resolve(string? apiVersion, string? kind)
    {
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind)) return null;
        var slash = apiVersion.IndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        var registry = ResourceRegistry.BuiltIn;
        return registry.FindKind(group, version, kind)
            ?? registry.Resources.FirstOrDefault(d => d.Group == group && d.Kind == kind && !d.CreateOnly);
    }

    private static bool IsCollectorDeleting(V1ObjectMeta meta) =>
        meta.DeletionTimestamp is not null && (Finalizers.Has(meta, Finalizers.Orphan) || Finalizers.Has(meta, Finalizers.ForegroundDeletion));

    private static bool SameReferences(IList<V1OwnerReference>? a, IList<V1OwnerReference>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        for (var i = 0; i < (a?.Count ?? 0); i++)
        {
            if (a![i].Uid != b![i].Uid || a[i].BlockOwnerDeletion != b[i].BlockOwnerDeletion) return false;
        }
        return true;
    }

    private static bool SameFinalizers(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? []);

    [LoggerMessage(Level = LogLevel.Information, Message = "deleting {Kind} {Namespace}/{Name} (propagation {Policy}): no owner holds it")]
    private static partial void LogDeleting(ILogger logger, string kind, string? @namespace, string name, string policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "orphaned the dependents of {Kind} {Namespace}/{Name}")]
    private static partial void LogOrphaned(ILogger logger, string kind, string? @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ownerReference to {ApiVersion} {Kind} {Name}: not a served resource; the dependent is kept")]
    private static partial void LogUnresolvableOwner(ILogger logger, string? apiVersion, string? kind, string? name);
}
