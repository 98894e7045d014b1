using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.DaemonSet;

/// <summary>
/// A DaemonSet's ControllerRevisions (Kubernetes' constructHistory, snapshot and cleanupHistory): the revision equal to
/// the current template is current (re-numbered to the newest after a rollback), a new template gets a new revision
/// named <c>ds-hash</c>, and old revisions no pod uses are deleted beyond revisionHistoryLimit.
/// </summary>
internal sealed class DaemonSetHistory(IApiClient client, Informer<V1ControllerRevision> revisions, Informer<V1DaemonSet> sets)
{
    private readonly ControllerRefClaimer<V1ControllerRevision> _claimer = new(client, revisions, "apps/v1", "DaemonSet");

    /// <summary>The current revision (created or re-numbered as needed) and the old ones.</summary>
    public async Task<(V1ControllerRevision Current, List<V1ControllerRevision> Old)> ConstructAsync(V1DaemonSet ds, CancellationToken cancellationToken)
    {
        var data = ControllerRevisionData.FromTemplate(ds.Spec.Template);
        var current = new List<V1ControllerRevision>();
        var old = new List<V1ControllerRevision>();
        var owned = await _claimer.ClaimAsync(ds, ds.Spec.Selector, revisions.ByIndex(DaemonSetController.OwnerIndex, ds.Metadata.Uid), _ => true,
            cancellationToken);
        foreach (var revision in owned)
        {
            if (revision.Metadata.DeletionTimestamp is not null) continue;
            (ControllerRevisionData.Canonical(revision.Data) == data ? current : old).Add(revision);
        }
        var next = (old.Count == 0 ? 0 : old.Max(r => r.Revision ?? 0)) + 1;
        if (current.Count == 0) return (await SnapshotAsync(ds, data, next, cancellationToken), old);

        // Equal revisions can pile up after a collision: keep the newest, drop the others.
        current.Sort(RevisionOrder.Instance);
        var keep = current[^1];
        foreach (var duplicate in current.Take(current.Count - 1))
            await client.For<V1ControllerRevision>().DeleteAsync(duplicate.Metadata.NamespaceProperty, duplicate.Metadata.Name, cancellationToken: cancellationToken);
        if ((keep.Revision ?? 0) < next)
        {
            var renumbered = ObjectCopy.DeepCopy(keep);
            renumbered.Revision = next;
            keep = await client.For<V1ControllerRevision>().UpdateAsync(renumbered, cancellationToken);
            await CacheWait.UntilWrittenAsync(revisions, keep, cancellationToken);
        }
        return (keep, old);
    }

    /// <summary>Deletes the oldest revisions whose hash no pod carries, beyond revisionHistoryLimit.</summary>
    public async Task CleanupAsync(V1DaemonSet ds, List<V1ControllerRevision> old, IEnumerable<V1Pod> pods, CancellationToken cancellationToken)
    {
        var toKill = old.Count - (ds.Spec.RevisionHistoryLimit ?? 10);
        if (toKill <= 0) return;
        var liveHashes = pods.Select(p => p.Metadata.Labels is { } l && l.TryGetValue(ControllerRevisionData.RevisionLabel, out var h) ? h : null)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var revision in old.OrderBy(r => r, RevisionOrder.Instance))
        {
            if (toKill <= 0) break;
            if (revision.Metadata.Labels is { } labels && labels.TryGetValue(ControllerRevisionData.RevisionLabel, out var hash) && liveHashes.Contains(hash))
                continue;
            await client.For<V1ControllerRevision>().DeleteAsync(revision.Metadata.NamespaceProperty, revision.Metadata.Name, cancellationToken: cancellationToken);
            toKill--;
        }
    }

    private async Task<V1ControllerRevision> SnapshotAsync(V1DaemonSet ds, string data, long number, CancellationToken cancellationToken)
    {
        var hash = ControllerRevisionData.Hash(data, ds.Status?.CollisionCount);
        var labels = ds.Spec.Template.Metadata?.Labels is { } templateLabels ? new Dictionary<string, string>(templateLabels) : new Dictionary<string, string>();
        labels[ControllerRevisionData.RevisionLabel] = hash;
        var revision = new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta
            {
                Name = ControllerRevisionData.Name(ds.Metadata.Name, hash),
                NamespaceProperty = ds.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = ds.Metadata.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : null,
                OwnerReferences = [OwnerReferences.ControllerRef(ds, "apps/v1", "DaemonSet")],
            },
            Data = ControllerRevisionData.ToData(data),
            Revision = number,
        };
        try
        {
            var created = await client.For<V1ControllerRevision>().CreateAsync(revision, cancellationToken: cancellationToken);
            await CacheWait.UntilCreatedAsync(revisions, created, cancellationToken);
            return created;
        }
        catch (ApiClientException ex) when (ex.IsAlreadyExists)
        {
            var existing = await client.For<V1ControllerRevision>().GetAsync(ds.Metadata.NamespaceProperty, revision.Metadata.Name, cancellationToken);
            if (existing is not null && ControllerRevisionData.Canonical(existing.Data) == data) return existing;
            // A different template hashed to the same name: bump the collision count so the next attempt picks another.
            var fresh = await client.For<V1DaemonSet>().GetAsync(ds.Metadata.NamespaceProperty, ds.Metadata.Name, cancellationToken)
                ?? throw new InvalidOperationException($"daemon set {ds.Metadata.Name} vanished");
            if (fresh.Status?.CollisionCount != ds.Status?.CollisionCount)
                throw new InvalidOperationException($"found a stale collision count of DaemonSet \"{ds.Metadata.Name}\" while processing; will retry until it is updated", ex);
            fresh.Status ??= new V1DaemonSetStatus();
            fresh.Status.CollisionCount = (fresh.Status.CollisionCount ?? 0) + 1;
            var written = await client.For<V1DaemonSet>().UpdateStatusAsync(fresh, cancellationToken);
            await CacheWait.UntilWrittenAsync(sets, written, cancellationToken);
            throw;
        }
    }
}
