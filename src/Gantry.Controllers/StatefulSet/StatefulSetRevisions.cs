using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.StatefulSet;

/// <summary>
/// A StatefulSet's ControllerRevisions: finds or creates the one recording the current template (a rollback re-numbers
/// an older equal revision instead of creating one), and deletes old ones beyond revisionHistoryLimit.
/// </summary>
internal sealed class StatefulSetRevisions(IApiClient client, Informer<V1ControllerRevision> revisions)
{
    private readonly ControllerRefClaimer<V1ControllerRevision> _claimer = new(client, revisions, "apps/v1", "StatefulSet");

    /// <summary>The set's revisions (controlled by it, orphans its selector matches adopted), oldest first.</summary>
    public async Task<List<V1ControllerRevision>> ListAsync(V1StatefulSet set, CancellationToken cancellationToken)
    {
        var owned = await _claimer.ClaimAsync(set, set.Spec.Selector, revisions.ByIndex(StatefulSetController.OwnerIndex, set.Metadata.Uid),
            _ => true, cancellationToken);
        return [.. owned.OrderBy(r => r, RevisionOrder.Instance)];
    }

    /// <summary>
    /// The current and update revisions of the set and the collision count used (Kubernetes' getStatefulSetRevisions).
    /// </summary>
    public async Task<(V1ControllerRevision Current, V1ControllerRevision Update, int CollisionCount)> ResolveAsync(
        V1StatefulSet set, List<V1ControllerRevision> history, CancellationToken cancellationToken)
    {
        var collisionCount = set.Status?.CollisionCount ?? 0;
        var data = ControllerRevisionData.FromTemplate(set.Spec.Template);
        var next = history.Count == 0 ? 1 : (history[^1].Revision ?? 0) + 1;
        var equal = history.Where(r => ControllerRevisionData.Canonical(r.Data) == data).ToList();
        V1ControllerRevision update;
        if (equal.Count > 0 && history[^1].Metadata.Name == equal[^1].Metadata.Name)
            update = history[^1];
        else if (equal.Count > 0)
            update = await RenumberAsync(equal[^1], next, cancellationToken);
        else
            (update, collisionCount) = await CreateAsync(set, data, next, collisionCount, cancellationToken);
        var current = history.FirstOrDefault(r => r.Metadata.Name == set.Status?.CurrentRevision) ?? update;
        return (current, update, collisionCount);
    }

    /// <summary>Deletes the oldest revisions no pod uses, beyond the set's revisionHistoryLimit.</summary>
    public async Task TruncateAsync(V1StatefulSet set, IEnumerable<V1Pod> pods, List<V1ControllerRevision> history,
        V1ControllerRevision current, V1ControllerRevision update, CancellationToken cancellationToken)
    {
        var live = new HashSet<string>(StringComparer.Ordinal) { current.Metadata.Name, update.Metadata.Name };
        foreach (var pod in pods) live.Add(StatefulSetPods.Revision(pod));
        var old = history.Where(r => !live.Contains(r.Metadata.Name)).ToList();
        var limit = set.Spec.RevisionHistoryLimit ?? 10;
        if (limit < 0 || old.Count <= limit) return;
        foreach (var revision in old.Take(old.Count - limit))
        {
            if (await client.For<V1ControllerRevision>().DeleteAsync(revision.Metadata.NamespaceProperty, revision.Metadata.Name, cancellationToken: cancellationToken))
                await CacheWait.UntilDeletedAsync(revisions, revision, cancellationToken);
        }
    }

    private async Task<V1ControllerRevision> RenumberAsync(V1ControllerRevision revision, long number, CancellationToken cancellationToken)
    {
        var clone = ObjectCopy.DeepCopy(revision);
        for (var attempt = 0; ; attempt++)
        {
            if (clone.Revision == number) return clone;
            clone.Revision = number;
            try
            {
                var updated = await client.For<V1ControllerRevision>().UpdateAsync(clone, cancellationToken);
                await CacheWait.UntilWrittenAsync(revisions, updated, cancellationToken);
                return updated;
            }
            catch (ConflictException) when (attempt < 5)
            {
                clone = await client.For<V1ControllerRevision>().GetAsync(revision.Metadata.NamespaceProperty, revision.Metadata.Name, cancellationToken)
                    ?? throw new InvalidOperationException($"controller revision {revision.Metadata.Name} vanished");
            }
        }
    }

    private async Task<(V1ControllerRevision, int)> CreateAsync(V1StatefulSet set, string data, long number, int collisionCount,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var hash = ControllerRevisionData.Hash(data, collisionCount);
            var labels = set.Spec.Template.Metadata?.Labels is { } templateLabels
                ? new Dictionary<string, string>(templateLabels)
                : new Dictionary<string, string>();
            labels[ControllerRevisionData.HashLabel] = hash;
            var revision = new V1ControllerRevision
            {
                ApiVersion = "apps/v1",
                Kind = "ControllerRevision",
                Metadata = new V1ObjectMeta
                {
                    Name = ControllerRevisionData.Name(set.Metadata.Name, hash),
                    NamespaceProperty = set.Metadata.NamespaceProperty,
                    Labels = labels,
                    Annotations = set.Metadata.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : null,
                    OwnerReferences = [OwnerReferences.ControllerRef(set, "apps/v1", "StatefulSet")],
                },
                Data = ControllerRevisionData.ToData(data),
                Revision = number,
            };
            try
            {
                var created = await client.For<V1ControllerRevision>().CreateAsync(revision, cancellationToken: cancellationToken);
                await CacheWait.UntilCreatedAsync(revisions, created, cancellationToken);
                return (created, collisionCount);
            }
            catch (ApiClientException ex) when (ex.IsAlreadyExists)
            {
                var existing = await client.For<V1ControllerRevision>().GetAsync(set.Metadata.NamespaceProperty, revision.Metadata.Name, cancellationToken);
                if (existing is not null && ControllerRevisionData.Canonical(existing.Data) == data) return (existing, collisionCount);
                collisionCount++;
            }
        }
    }
}
